/* ep_pcap.c - pcap://IFNAME[?netns=NS]: a host interface (physical, veth,
 * bridge...) as an endpoint through libpcap, the role of vde-2's
 * vde_pcapplug: frames the interface receives come in, frames for it are
 * sent with pcap_inject(). Only frames arriving at the interface are read
 * (pcap_setdirection(PCAP_D_IN)), so what we inject is never captured back
 * into the switch: no loop. Needs CAP_NET_RAW. The interface is put in
 * promiscuous mode, so frames for the lab's MACs are seen.
 *
 * Offloads: with GRO on, the kernel may hand libpcap merged frames larger
 * than VPKT_MAXFRAME; they are dropped and counted (rx_oversize). Turn GRO
 * off on the interface (ethtool -K IF gro off) for TCP at full size.
 */
#include "ep.h"
#include "netns.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct pcap_ep {
	pcap_t *p;
	struct vpkt **pkts;
	unsigned n, got;
	struct ep *ep;
};

static int pcap_ep_open(struct ep *ep, const struct ep_url *u, char *err, size_t errlen)
{
	struct pcap_ep *x = ep->priv;
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	const char *args = u->path, *ns = ep_url_get(u, "netns");
	if (!args[0]) {
		snprintf(err, errlen, "expected pcap://IFNAME");
		return EINVAL;
	}
	int self = -1;
	if (ns && (self = netns_enter(ns, err, errlen)) < 0)
		return -self;
	int rc = 0;
	x->p = pcap_create(args, ebuf);
	if (!x->p) {
		snprintf(err, errlen, "%s", ebuf);
		rc = ENODEV;
	} else {
		pcap_set_snaplen(x->p, VPKT_MAXFRAME + 1);
		pcap_set_promisc(x->p, 1);
		pcap_set_immediate_mode(x->p, 1);
		pcap_set_buffer_size(x->p, 4 << 20);
		int a = pcap_activate(x->p);
		if (a < 0) {
			snprintf(err, errlen, "%s: %s%s", args, pcap_statustostr(a),
				 a == PCAP_ERROR_PERM_DENIED ? " (needs CAP_NET_RAW)" :
				 a == PCAP_ERROR_NO_SUCH_DEVICE ? "" : "");
			if (a == PCAP_ERROR && pcap_geterr(x->p)[0])
				snprintf(err, errlen, "%s: %s", args, pcap_geterr(x->p));
			rc = a == PCAP_ERROR_NO_SUCH_DEVICE ? ENODEV : a == PCAP_ERROR_PERM_DENIED ? EPERM : EIO;
		} else if (pcap_datalink(x->p) != DLT_EN10MB) {
			snprintf(err, errlen, "%s is not an Ethernet interface", args);
			rc = EINVAL;
		} else if (pcap_setdirection(x->p, PCAP_D_IN) < 0 || pcap_setnonblock(x->p, 1, ebuf) < 0) {
			snprintf(err, errlen, "%s: %s", args, pcap_geterr(x->p));
			rc = EIO;
		}
	}
	if (ns)
		netns_leave(self);
	if (rc) {
		if (x->p)
			pcap_close(x->p);
		x->p = NULL;
		return rc;
	}
	/* the fd belongs to pcap: a duplicate for the loop, closed by ep_close */
	ep->fd = dup(pcap_get_selectable_fd(x->p));
	x->ep = ep;
	snprintf(ep->descr, sizeof(ep->descr), "pcap %s%s%s", args, ns ? " in netns " : "", ns ? ns : "");
	return 0;
}

static void on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct pcap_ep *x = (struct pcap_ep *)user;
	struct ep *ep = x->ep;
	if (h->len > VPKT_MAXFRAME || h->caplen < h->len) {
		ep->st.rx_oversize++;
		return;
	}
	if (h->len < ETH_HDR_LEN) {
		ep->st.rx_runt++;
		return;
	}
	if (x->got >= x->n)
		return;
	struct vpkt *p = x->pkts[x->got++];
	memcpy(vpkt_data(p), bytes, h->len);
	p->len = (uint16_t)h->len;
	ep->st.rx_pkts++;
	ep->st.rx_bytes += h->len;
}

static int pcap_ep_recv(struct ep *ep, struct vpkt **pkts, unsigned n)
{
	struct pcap_ep *x = ep->priv;
	x->pkts = pkts;
	x->n = n;
	x->got = 0;
	int r = pcap_dispatch(x->p, (int)n, on_frame, (u_char *)x);
	if (r < 0) {
		ep->st.rx_errors++;
		return x->got ? (int)x->got : -EIO;
	}
	return (int)x->got;
}

static int pcap_ep_send(struct ep *ep, struct vtx *tx, unsigned n)
{
	struct pcap_ep *x = ep->priv;
	static uint8_t flat[VPKT_MAXFRAME + 8];
	for (unsigned i = 0; i < n; i++) {
		vtx_flatten(&tx[i], flat);
		if (pcap_inject(x->p, flat, tx[i].len) < 0) {
			if (errno == EAGAIN || errno == ENOBUFS)
				return (int)i;
			ep->st.tx_errors++; /* e.g. larger than the interface's MTU */
			continue;
		}
		ep->st.tx_pkts++;
		ep->st.tx_bytes += tx[i].len;
	}
	return (int)n;
}

static void pcap_ep_close(struct ep *ep)
{
	struct pcap_ep *x = ep->priv;
	if (x->p)
		pcap_close(x->p);
}

const struct ep_class ep_pcap_class = {
	.scheme = "pcap",
	.syntax = "pcap://IFNAME",
	.help = "a host interface through libpcap, as vde_pcapplug (needs CAP_NET_RAW)",
	.options = (const struct ep_opt[]){ { "netns", "NS", false }, { NULL, NULL, false } },
	.priv_size = sizeof(struct pcap_ep),
	.open = pcap_ep_open,
	.recv_batch = pcap_ep_recv,
	.send_batch = pcap_ep_send,
	.close = pcap_ep_close,
};
