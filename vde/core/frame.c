#include "frame.h"
#include "limits.h"
#include "wire.h"

#include <errno.h>
#include <stdio.h>

enum frame_status frame_parse(const uint8_t *p, size_t len, struct frame_info *fi)
{
	if (len < ETH_HDR_LEN)
		return FRAME_RUNT;
	if (len > VPKT_MAXFRAME)
		return FRAME_OVERSIZE;
	fi->group_dst = mac_is_group(p);
	fi->group_src = mac_is_group(p + 6);
	uint16_t type = (uint16_t)(p[12] << 8 | p[13]);
	if (type == ETHERTYPE_VLAN_HOST) {
		if (len < ETH_HDR_LEN + VLAN_TAG_LEN)
			return FRAME_TRUNC_TAG;
		uint16_t tci = (uint16_t)(p[14] << 8 | p[15]);
		fi->vid = tci & 0x0fff;
		fi->pcp = tci >> 13;
		fi->ethertype = (uint16_t)(p[16] << 8 | p[17]);
		fi->hdr_len = ETH_HDR_LEN + VLAN_TAG_LEN;
	} else {
		fi->vid = FRAME_UNTAGGED;
		fi->pcp = 0;
		fi->ethertype = type;
		fi->hdr_len = ETH_HDR_LEN;
	}
	return FRAME_OK;
}

char *mac_format(const uint8_t mac[6], char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

int mac_parse(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		int hi = hexval((unsigned char)s[0]);
		int lo = hi < 0 ? -1 : hexval((unsigned char)s[1]);
		if (hi < 0 || lo < 0)
			return EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i < 5) {
			if (*s != ':' && *s != '-')
				return EINVAL;
			s++;
		}
	}
	return *s == '\0' ? 0 : EINVAL;
}
