/* libFuzzer target: capture options as the consoles take them
 * (capture_parse_opts: count= size= at= snaplen= then a BPF filter) and the
 * filter compiled by libpcap, as capture/start would. */
#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../vde/core/capture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static pcap_t *dead;
	char s[1100], err[300];
	if (size > 1000)
		return 0;
	if (!dead)
		dead = pcap_open_dead(DLT_EN10MB, 65535);
	memcpy(s, data, size);
	s[size] = '\0';
	struct capture_opts o;
	if (capture_parse_opts(s, &o, err, sizeof(err)))
		return 0;
	struct bpf_program prog;
	if (o.filter && o.filter[0] && pcap_compile(dead, &prog, o.filter, 1, PCAP_NETMASK_UNKNOWN) == 0)
		pcap_freecode(&prog);
	return 0;
}
