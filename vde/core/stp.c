/* stp.c - RSTP state machines, IEEE 802.1D-2004 clause 17 (see stp.h).
 *
 * Variable, procedure and state names are the standard's (17.19-17.21,
 * 17.23-17.31) so that each function can be read against its figure.
 * Every entry point ends in run(): the machines step in turn until none
 * changes state, bounded so that a bug cannot hang the daemon.
 */
#include "stp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *const stp_role_names[] = { "disabled", "root", "designated", "alternate", "backup" };
const char *const stp_state_names[] = { "discarding", "learning", "forwarding" };
const char *const stp_mode_names[] = { "off", "stp", "rstp" };

#define MAC_MASK 0x0000ffffffffffffull

/* priority vector (17.5, 17.6) */
struct vec {
	uint64_t root;
	uint32_t cost;
	uint64_t bridge;
	uint16_t port;   /* designated port id */
	uint16_t rxport; /* id of the port the vector was received on / belongs to */
};

/* times (17.19.x designatedTimes, msgTimes, portTimes, rootTimes), seconds */
struct times {
	unsigned age, max_age, fwd_delay, hello;
};

enum info_is { INFO_DISABLED, INFO_AGED, INFO_MINE, INFO_RECEIVED };
enum rcvd_info { SUPERIOR_DESIGNATED, REPEATED_DESIGNATED, INFERIOR_DESIGNATED, INFERIOR_ROOT_ALT, OTHER_INFO };

enum prx_state { PRX_DISCARD, PRX_RECEIVE };
enum ppm_state { PPM_CHECKING_RSTP, PPM_SELECTING_STP, PPM_SENSING };
enum bdm_state { BDM_EDGE, BDM_NOT_EDGE };
enum ptx_state { PTX_INIT, PTX_IDLE, PTX_PERIODIC, PTX_CONFIG, PTX_TCN, PTX_RSTP };
enum pim_state {
	PIM_DISABLED, PIM_AGED, PIM_UPDATE, PIM_CURRENT, PIM_RECEIVE, PIM_SUPERIOR_DESIGNATED,
	PIM_REPEATED_DESIGNATED, PIM_INFERIOR_DESIGNATED, PIM_NOT_DESIGNATED, PIM_OTHER,
};
enum prt_state {
	PRT_INIT_PORT, PRT_DISABLE_PORT, PRT_DISABLED_PORT,
	PRT_ROOT_PORT, PRT_ROOT_PROPOSED, PRT_ROOT_AGREED, PRT_ROOT_SYNCED, PRT_REROOT,
	PRT_ROOT_FORWARD, PRT_ROOT_LEARN, PRT_REROOTED,
	PRT_DESIGNATED_PORT, PRT_DESIGNATED_PROPOSE, PRT_DESIGNATED_SYNCED, PRT_DESIGNATED_RETIRED,
	PRT_DESIGNATED_DISCARD, PRT_DESIGNATED_LEARN, PRT_DESIGNATED_FORWARD,
	PRT_BLOCK_PORT, PRT_ALTERNATE_PORT, PRT_ALTERNATE_PROPOSED, PRT_ALTERNATE_AGREED, PRT_BACKUP_PORT,
};
enum pst_state { PST_DISCARDING, PST_LEARNING, PST_FORWARDING };
enum tcm_state {
	TCM_INACTIVE, TCM_LEARNING, TCM_DETECTED, TCM_ACTIVE, TCM_NOTIFIED_TCN, TCM_NOTIFIED_TC,
	TCM_PROPAGATING, TCM_ACKNOWLEDGED,
};
enum prs_state { PRS_INIT_BRIDGE, PRS_ROLE_SELECTION };

struct port {
	bool exists;              /* attached: the machines run for it */
	bool configured;          /* the management fields below are set */
	unsigned num;
	/* management */
	uint32_t admin_cost;      /* 0 = default */
	uint32_t bonus;           /* fstp/bonus: subtracted from the cost */
	unsigned prio;
	bool adminEdge, autoEdge, adminP2P;
	/* 17.19 */
	uint32_t PortPathCost;
	uint16_t portId;
	bool portEnabled;
	bool agree, agreed, disputed, fdbFlush, forward, forwarding, learn, learning, mcheck, newInfo;
	bool operEdge, proposed, proposing, rcvdBpdu, rcvdMsg, rcvdRSTP, rcvdSTP, rcvdTc, rcvdTcAck, rcvdTcn;
	bool reRoot, reselect, selected, sendRSTP, sync, synced, tcAck, tcProp, updtInfo;
	enum info_is infoIs;
	enum rcvd_info rcvdInfo;
	enum stp_role role, selectedRole;
	struct vec designatedPriority, msgPriority, portPriority;
	struct times designatedTimes, msgTimes, portTimes;
	unsigned txCount;
	/* timers (17.17), seconds */
	unsigned edgeDelayWhile, fdWhile, helloWhen, mdelayWhile, rbWhile, rcvdInfoWhile, rrWhile, tcWhile;
	struct bpdu rx;           /* the BPDU rcvdBpdu refers to */
	/* machine states */
	uint8_t prx, ppm, bdm, ptx, pim, prt, pst, tcm;
	struct stp_port_stats st;
};

struct stp {
	unsigned nports;
	struct port *ports;
	enum stp_mode mode;
	uint8_t mac[6];
	unsigned prio;
	uint64_t bridgeId;
	struct vec bridgePriority, rootPriority;
	int root_port;            /* index of the root port, -1 when this bridge is root */
	struct times bridgeTimes, rootTimes;
	uint8_t prs;
	const struct stp_ops *ops;
	void *arg;
	uint64_t now_s;           /* ticks since creation */
	uint64_t tc_count, last_tc_s;
	uint64_t loop_limit_hits;
};

/* ---- small helpers ---- */

static int vec_cmp(const struct vec *a, const struct vec *b)
{
#define CMP(f) if (a->f != b->f) return a->f < b->f ? -1 : 1
	CMP(root);
	CMP(cost);
	CMP(bridge);
	CMP(port);
	CMP(rxport);
#undef CMP
	return 0;
}

static bool times_eq(const struct times *a, const struct times *b)
{
	return a->age == b->age && a->max_age == b->max_age && a->fwd_delay == b->fwd_delay && a->hello == b->hello;
}

static bool rstp_version(const struct stp *s) { return s->mode == STP_MODE_RSTP; }
static unsigned HelloTime(const struct port *p) { return p->designatedTimes.hello; }
static unsigned FwdDelay(const struct port *p) { return p->designatedTimes.fwd_delay; }
static unsigned MaxAge(const struct port *p) { return p->designatedTimes.max_age; }
/* 17.20.7 */
static unsigned forwardDelay(const struct port *p) { return p->sendRSTP ? HelloTime(p) : FwdDelay(p); }
/* 17.20.4 */
static unsigned EdgeDelay(const struct port *p) { return p->adminP2P ? STP_MIGRATE_TIME : MaxAge(p); }

#define FOR_PORTS(s, q) for (struct port *q = (s)->ports; q < (s)->ports + (s)->nports; q++) if (q->exists)

static uint32_t effective_cost(const struct port *p)
{
	uint32_t c = p->admin_cost ? p->admin_cost : STP_DEFAULT_COST;
	return c > p->bonus ? c - p->bonus : 1;
}

static void port_ids(struct stp *s, struct port *p)
{
	p->portId = (uint16_t)((p->prio & 0xf0) << 8 | (p->num & 0x0fff));
	p->PortPathCost = effective_cost(p);
	(void)s;
}

static void bridge_ids(struct stp *s)
{
	uint64_t mac = 0;
	for (int i = 0; i < 6; i++)
		mac = mac << 8 | s->mac[i];
	s->bridgeId = (uint64_t)s->prio << 48 | mac;
	s->bridgePriority = (struct vec){ s->bridgeId, 0, s->bridgeId, 0, 0 };
}

/* 17.20.3: all other ports are synced (the root port needs not be). */
static bool allSynced(const struct stp *s, const struct port *p)
{
	FOR_PORTS(s, q) {
		if (q == p)
			continue;
		if (!q->selected || q->role != q->selectedRole || q->updtInfo)
			return false;
		if (!q->synced && q->role != STP_ROLE_ROOT)
			return false;
	}
	return true;
}

/* 17.20.10: rrWhile is zero on every other port. */
static bool reRooted(const struct stp *s, const struct port *p)
{
	FOR_PORTS(s, q)
		if (q != p && q->rrWhile)
			return false;
	return true;
}

static void setSyncTree(struct stp *s) { FOR_PORTS(s, q) q->sync = true; }
static void setReRootTree(struct stp *s) { FOR_PORTS(s, q) q->reRoot = true; }
static void setTcPropTree(struct stp *s, struct port *p) { FOR_PORTS(s, q) if (q != p) q->tcProp = true; }

/* ---- transmission (17.21.19-21) ---- */

static uint16_t t256(unsigned s) { return (uint16_t)(s > 255 ? 0xffff : s * 256); }

static void tx_common(struct port *p, struct bpdu *b)
{
	b->root_id = p->designatedPriority.root;
	b->root_cost = p->designatedPriority.cost;
	b->bridge_id = p->designatedPriority.bridge;
	b->port_id = p->designatedPriority.port;
	b->msg_age = t256(p->designatedTimes.age);
	b->max_age = t256(p->designatedTimes.max_age);
	b->hello = t256(p->designatedTimes.hello);
	b->fwd_delay = t256(p->designatedTimes.fwd_delay);
}

static void send(struct stp *s, struct port *p, const struct bpdu *b)
{
	uint8_t frame[64];
	size_t n = bpdu_build(frame, sizeof(frame), s->mac, b);
	if (s->ops && s->ops->tx)
		s->ops->tx(s->arg, p->num, frame, n);
}

static void txConfig(struct stp *s, struct port *p)
{
	struct bpdu b = { .type = BPDU_CONFIG };
	tx_common(p, &b);
	if (p->tcWhile)
		b.flags |= BPDU_F_TC;
	if (p->tcAck)
		b.flags |= BPDU_F_TCA;
	send(s, p, &b);
	p->st.tx_config++;
}

static void txTcn(struct stp *s, struct port *p)
{
	struct bpdu b = { .type = BPDU_TCN };
	send(s, p, &b);
	p->st.tx_tcn++;
}

static void txRstp(struct stp *s, struct port *p)
{
	struct bpdu b = { .type = BPDU_RST, .version = 2 };
	tx_common(p, &b);
	unsigned role = p->role == STP_ROLE_ROOT ? BPDU_ROLE_ROOT
		      : p->role == STP_ROLE_DESIGNATED ? BPDU_ROLE_DESIGNATED
		      : p->role == STP_ROLE_DISABLED ? BPDU_ROLE_UNKNOWN : BPDU_ROLE_ALTBACKUP;
	b.flags = (uint8_t)(role << 2);
	if (p->agree)
		b.flags |= BPDU_F_AGREEMENT;
	if (p->proposing)
		b.flags |= BPDU_F_PROPOSAL;
	if (p->tcWhile)
		b.flags |= BPDU_F_TC;
	if (p->learning)
		b.flags |= BPDU_F_LEARNING;
	if (p->forwarding)
		b.flags |= BPDU_F_FORWARDING;
	send(s, p, &b);
	p->st.tx_rst++;
}

/* ---- procedures of the Port Information machine (17.21) ---- */

static unsigned secs(uint16_t v256) { return (v256 + 128u) >> 8; }

static enum stp_role msg_role(const struct bpdu *b)
{
	if (b->type == BPDU_CONFIG)
		return STP_ROLE_DESIGNATED;
	switch (bpdu_role(b->flags)) {
	case BPDU_ROLE_DESIGNATED: return STP_ROLE_DESIGNATED;
	case BPDU_ROLE_ROOT: return STP_ROLE_ROOT;
	case BPDU_ROLE_ALTBACKUP: return STP_ROLE_ALTERNATE;
	default: return STP_ROLE_DISABLED; /* unknown */
	}
}

/* 17.21.8 rcvInfo(), with "superior" per 17.6 */
static enum rcvd_info rcvInfo(struct port *p)
{
	const struct bpdu *b = &p->rx;
	if (b->type == BPDU_TCN)
		return OTHER_INFO;
	p->msgPriority = (struct vec){ b->root_id, b->root_cost, b->bridge_id, b->port_id, p->portId };
	p->msgTimes = (struct times){ secs(b->msg_age), secs(b->max_age), secs(b->fwd_delay), secs(b->hello) };
	enum stp_role role = msg_role(b);
	int c = vec_cmp(&p->msgPriority, &p->portPriority);
	if (role == STP_ROLE_DESIGNATED) {
		bool same_designated = (p->msgPriority.bridge & MAC_MASK) == (p->portPriority.bridge & MAC_MASK) &&
				       (p->msgPriority.port & 0x0fff) == (p->portPriority.port & 0x0fff);
		if (c < 0 || (c > 0 && same_designated))
			return SUPERIOR_DESIGNATED;
		if (c == 0)
			return times_eq(&p->msgTimes, &p->portTimes) ? REPEATED_DESIGNATED : SUPERIOR_DESIGNATED;
		return INFERIOR_DESIGNATED;
	}
	if ((role == STP_ROLE_ROOT || role == STP_ROLE_ALTERNATE) && c >= 0)
		return INFERIOR_ROOT_ALT;
	return OTHER_INFO;
}

static bool msg_is_designated(const struct port *p) { return p->rx.type != BPDU_TCN && msg_role(&p->rx) == STP_ROLE_DESIGNATED; }

/* 17.21.11 */
static void recordProposal(struct port *p)
{
	if (p->rx.type == BPDU_RST && msg_is_designated(p) && (p->rx.flags & BPDU_F_PROPOSAL))
		p->proposed = true;
}

/* 17.21.9 */
static void recordAgreement(struct stp *s, struct port *p)
{
	if (rstp_version(s) && p->adminP2P && p->rx.type == BPDU_RST && (p->rx.flags & BPDU_F_AGREEMENT)) {
		p->agreed = true;
		p->proposing = false;
	} else {
		p->agreed = false;
	}
}

/* 17.21.10 as corrected by 802.1Q-2005 13.26.6 */
static void recordDispute(struct port *p)
{
	if (p->rx.type == BPDU_RST && (p->rx.flags & BPDU_F_LEARNING)) {
		p->disputed = true;
		p->agreed = false;
	}
}

/* 17.21.17 */
static void setTcFlags(struct port *p)
{
	if (p->rx.type == BPDU_TCN) {
		p->rcvdTcn = true;
		return;
	}
	if (p->rx.flags & BPDU_F_TC)
		p->rcvdTc = true;
	if (p->rx.type == BPDU_CONFIG && (p->rx.flags & BPDU_F_TCA))
		p->rcvdTcAck = true;
}

/* 17.21.23 */
static void updtRcvdInfoWhile(struct port *p)
{
	p->rcvdInfoWhile = p->portTimes.age + 1 <= p->portTimes.max_age ? 3 * p->portTimes.hello : 0;
}

/* 17.21.1 */
static bool betterorsameInfo(const struct port *p, enum info_is newInfoIs)
{
	if (newInfoIs == INFO_RECEIVED && p->infoIs == INFO_RECEIVED)
		return vec_cmp(&p->msgPriority, &p->portPriority) <= 0;
	if (newInfoIs == INFO_MINE && p->infoIs == INFO_MINE)
		return vec_cmp(&p->designatedPriority, &p->portPriority) <= 0;
	return false;
}

/* 17.21.16 */
static void newTcWhile(struct stp *s, struct port *p)
{
	if (p->tcWhile == 0) {
		if (p->sendRSTP) {
			p->tcWhile = HelloTime(p) + 1;
			p->newInfo = true;
		} else {
			p->tcWhile = s->rootTimes.max_age + s->rootTimes.fwd_delay;
		}
	}
}

static void count_tc(struct stp *s, struct port *p)
{
	p->st.tc++;
	s->tc_count++;
	s->last_tc_s = s->now_s;
}

/* ---- Port Role Selection procedures (17.21.25) ---- */

static void updtRolesTree(struct stp *s)
{
	struct vec best = s->bridgePriority;
	struct port *rp = NULL;
	FOR_PORTS(s, p) {
		if (p->infoIs != INFO_RECEIVED || (p->portPriority.bridge & MAC_MASK) == (s->bridgeId & MAC_MASK))
			continue;
		struct vec v = p->portPriority;
		uint64_t c = (uint64_t)v.cost + p->PortPathCost;
		v.cost = c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
		v.rxport = p->portId;
		if (vec_cmp(&v, &best) < 0) {
			best = v;
			rp = p;
		}
	}
	s->rootPriority = best;
	s->root_port = rp ? (int)(rp - s->ports) : -1;
	if (rp) {
		s->rootTimes = rp->portTimes;
		s->rootTimes.age += 1;
	} else {
		s->rootTimes = s->bridgeTimes;
	}
	FOR_PORTS(s, p) {
		p->designatedPriority = (struct vec){ best.root, best.cost, s->bridgeId, p->portId, p->portId };
		p->designatedTimes = s->rootTimes;
		p->designatedTimes.hello = s->bridgeTimes.hello;
		switch (p->infoIs) {
		case INFO_DISABLED:
			p->selectedRole = STP_ROLE_DISABLED;
			break;
		case INFO_AGED:
			p->selectedRole = STP_ROLE_DESIGNATED;
			p->updtInfo = true;
			break;
		case INFO_MINE:
			p->selectedRole = STP_ROLE_DESIGNATED;
			if (vec_cmp(&p->portPriority, &p->designatedPriority) != 0 ||
			    !times_eq(&p->portTimes, &s->rootTimes))
				p->updtInfo = true;
			break;
		case INFO_RECEIVED:
			if (p == rp) {
				p->selectedRole = STP_ROLE_ROOT;
				p->updtInfo = false;
			} else if (vec_cmp(&p->designatedPriority, &p->portPriority) >= 0) {
				p->selectedRole = (p->portPriority.bridge & MAC_MASK) != (s->bridgeId & MAC_MASK)
						  ? STP_ROLE_ALTERNATE : STP_ROLE_BACKUP;
				p->updtInfo = false;
			} else {
				p->selectedRole = STP_ROLE_DESIGNATED;
				p->updtInfo = true;
			}
			break;
		}
	}
}

/* ---- the machines: each returns true when it changed state ---- */

static bool prs_step(struct stp *s)
{
	bool any = false;
	FOR_PORTS(s, p) any |= p->reselect;
	if (s->prs == PRS_INIT_BRIDGE || any) {
		s->prs = PRS_ROLE_SELECTION;
		FOR_PORTS(s, p) p->reselect = false;      /* clearReselectTree */
		updtRolesTree(s);
		FOR_PORTS(s, p) p->selected = true;       /* setSelectedTree */
		return true;
	}
	return false;
}

static void prx_enter(struct port *p, enum prx_state st)
{
	p->prx = st;
	if (st == PRX_DISCARD) {
		p->rcvdBpdu = p->rcvdRSTP = p->rcvdSTP = false;
		p->rcvdMsg = false;
		p->edgeDelayWhile = STP_MIGRATE_TIME;
	} else {
		/* updtBPDUVersion (17.21.22) */
		if (p->rx.type == BPDU_RST)
			p->rcvdRSTP = true;
		else
			p->rcvdSTP = true;
		p->operEdge = p->rcvdBpdu = false;
		p->rcvdMsg = true;
		p->edgeDelayWhile = STP_MIGRATE_TIME;
	}
}

static bool prx_step(struct stp *s, struct port *p)
{
	(void)s;
	if ((p->rcvdBpdu || p->edgeDelayWhile != STP_MIGRATE_TIME) && !p->portEnabled) {
		prx_enter(p, PRX_DISCARD);
		return true;
	}
	if (p->rcvdBpdu && p->portEnabled && (p->prx == PRX_DISCARD || !p->rcvdMsg)) {
		prx_enter(p, PRX_RECEIVE);
		return true;
	}
	return false;
}

static void ppm_enter(struct stp *s, struct port *p, enum ppm_state st)
{
	p->ppm = st;
	switch (st) {
	case PPM_CHECKING_RSTP:
		p->mcheck = false;
		p->sendRSTP = rstp_version(s);
		p->mdelayWhile = STP_MIGRATE_TIME;
		break;
	case PPM_SELECTING_STP:
		p->sendRSTP = false;
		p->mdelayWhile = STP_MIGRATE_TIME;
		break;
	case PPM_SENSING:
		p->rcvdRSTP = p->rcvdSTP = false;
		break;
	}
}

static bool ppm_step(struct stp *s, struct port *p)
{
	enum ppm_state to;
	switch (p->ppm) {
	case PPM_CHECKING_RSTP:
		if (p->mdelayWhile != STP_MIGRATE_TIME && !p->portEnabled)
			to = PPM_CHECKING_RSTP;
		else if (p->mdelayWhile == 0)
			to = PPM_SENSING;
		else
			return false;
		break;
	case PPM_SENSING:
		if (!p->portEnabled || p->mcheck || (rstp_version(s) && !p->sendRSTP && p->rcvdRSTP))
			to = PPM_CHECKING_RSTP;
		else if (p->sendRSTP && p->rcvdSTP)
			to = PPM_SELECTING_STP;
		else
			return false;
		break;
	default: /* SELECTING_STP */
		if (p->mdelayWhile == 0 || !p->portEnabled || p->mcheck)
			to = PPM_SENSING;
		else
			return false;
	}
	ppm_enter(s, p, to);
	return true;
}

static bool bdm_step(struct stp *s, struct port *p)
{
	(void)s;
	if (p->bdm == BDM_EDGE) {
		if ((!p->portEnabled && !p->adminEdge) || !p->operEdge) {
			p->bdm = BDM_NOT_EDGE;
			p->operEdge = false;
			return true;
		}
	} else if ((!p->portEnabled && p->adminEdge) ||
		   (p->edgeDelayWhile == 0 && p->autoEdge && p->sendRSTP && p->proposing)) {
		p->bdm = BDM_EDGE;
		p->operEdge = true;
		return true;
	}
	return false;
}

static bool ptx_step(struct stp *s, struct port *p)
{
	if (!p->portEnabled) {
		if (p->ptx == PTX_INIT)
			return false;
		p->ptx = PTX_INIT;
		p->newInfo = true;
		p->txCount = 0;
		return true;
	}
	if (p->ptx != PTX_IDLE) { /* UCT */
		p->ptx = PTX_IDLE;
		p->helloWhen = HelloTime(p);
		return true;
	}
	if (!p->selected || p->updtInfo)
		return false;
	if (p->helloWhen == 0) {
		p->ptx = PTX_PERIODIC;
		p->newInfo = p->newInfo || p->role == STP_ROLE_DESIGNATED || (p->role == STP_ROLE_ROOT && p->tcWhile);
		return true;
	}
	if (!p->newInfo || p->txCount >= STP_TX_HOLD_COUNT)
		return false;
	if (p->sendRSTP) {
		p->ptx = PTX_RSTP;
		p->newInfo = false;
		txRstp(s, p);
		p->txCount++;
		p->tcAck = false;
		return true;
	}
	/* a TCN only while a topology change is being notified (tcWhile), so
	 * that newInfo from role changes does not send spurious TCNs */
	if (p->role == STP_ROLE_ROOT && p->tcWhile) {
		p->ptx = PTX_TCN;
		p->newInfo = false;
		txTcn(s, p);
		p->txCount++;
		return true;
	}
	if (p->role == STP_ROLE_DESIGNATED) {
		p->ptx = PTX_CONFIG;
		p->newInfo = false;
		txConfig(s, p);
		p->txCount++;
		p->tcAck = false;
		return true;
	}
	return false;
}

static void pim_enter(struct stp *s, struct port *p, enum pim_state st)
{
	p->pim = st;
	switch (st) {
	case PIM_DISABLED:
		p->rcvdMsg = false;
		p->proposing = p->proposed = p->agree = p->agreed = false;
		p->rcvdInfoWhile = 0;
		p->infoIs = INFO_DISABLED;
		p->reselect = true;
		p->selected = false;
		break;
	case PIM_AGED:
		p->infoIs = INFO_AGED;
		p->reselect = true;
		p->selected = false;
		break;
	case PIM_UPDATE:
		p->proposing = p->proposed = false;
		p->agreed = p->agreed && betterorsameInfo(p, INFO_MINE);
		p->synced = p->synced && p->agreed;
		p->portPriority = p->designatedPriority;
		p->portTimes = p->designatedTimes;
		p->updtInfo = false;
		p->infoIs = INFO_MINE;
		p->newInfo = true;
		break;
	case PIM_CURRENT:
		break;
	case PIM_RECEIVE:
		p->rcvdInfo = rcvInfo(p);
		break;
	case PIM_SUPERIOR_DESIGNATED:
		p->agreed = p->proposing = false;
		recordProposal(p);
		setTcFlags(p);
		p->agree = p->agree && betterorsameInfo(p, INFO_RECEIVED);
		p->portPriority = p->msgPriority;  /* recordPriority */
		p->portTimes = p->msgTimes;        /* recordTimes */
		updtRcvdInfoWhile(p);
		p->infoIs = INFO_RECEIVED;
		p->reselect = true;
		p->selected = false;
		p->rcvdMsg = false;
		break;
	case PIM_REPEATED_DESIGNATED:
		recordProposal(p);
		setTcFlags(p);
		updtRcvdInfoWhile(p);
		p->rcvdMsg = false;
		break;
	case PIM_INFERIOR_DESIGNATED:
		recordDispute(p);
		p->rcvdMsg = false;
		break;
	case PIM_NOT_DESIGNATED:
		recordAgreement(s, p);
		setTcFlags(p);
		p->rcvdMsg = false;
		break;
	case PIM_OTHER:
		if (p->rx.type == BPDU_TCN)
			setTcFlags(p);
		p->rcvdMsg = false;
		break;
	}
}

static bool pim_step(struct stp *s, struct port *p)
{
	if (!p->portEnabled && p->infoIs != INFO_DISABLED) {
		pim_enter(s, p, PIM_DISABLED);
		return true;
	}
	enum pim_state to;
	switch (p->pim) {
	case PIM_DISABLED:
		if (p->portEnabled)
			to = PIM_AGED;
		else if (p->rcvdMsg)
			to = PIM_DISABLED;
		else
			return false;
		break;
	case PIM_AGED:
		if (!(p->selected && p->updtInfo))
			return false;
		to = PIM_UPDATE;
		break;
	case PIM_CURRENT:
		if (p->selected && p->updtInfo)
			to = PIM_UPDATE;
		else if (p->infoIs == INFO_RECEIVED && p->rcvdInfoWhile == 0 && !p->updtInfo && !p->rcvdMsg)
			to = PIM_AGED;
		else if (p->rcvdMsg && !p->updtInfo)
			to = PIM_RECEIVE;
		else
			return false;
		break;
	case PIM_RECEIVE:
		switch (p->rcvdInfo) {
		case SUPERIOR_DESIGNATED: to = PIM_SUPERIOR_DESIGNATED; break;
		case REPEATED_DESIGNATED: to = PIM_REPEATED_DESIGNATED; break;
		case INFERIOR_DESIGNATED: to = PIM_INFERIOR_DESIGNATED; break;
		case INFERIOR_ROOT_ALT: to = PIM_NOT_DESIGNATED; break;
		default: to = PIM_OTHER; break;
		}
		break;
	default: /* UPDATE and the RECEIVE branches */
		to = PIM_CURRENT;
	}
	pim_enter(s, p, to);
	return true;
}

static void prt_enter(struct stp *s, struct port *p, enum prt_state st)
{
	p->prt = st;
	switch (st) {
	case PRT_INIT_PORT:
		p->role = STP_ROLE_DISABLED;
		p->learn = p->forward = false;
		p->synced = false;
		p->sync = p->reRoot = true;
		p->rrWhile = FwdDelay(p);
		p->fdWhile = MaxAge(p);
		p->rbWhile = 0;
		break;
	case PRT_DISABLE_PORT:
		p->role = STP_ROLE_DISABLED;
		p->learn = p->forward = false;
		break;
	case PRT_DISABLED_PORT:
		p->fdWhile = MaxAge(p);
		p->synced = true;
		p->rrWhile = 0;
		p->sync = p->reRoot = false;
		break;
	case PRT_ROOT_PORT:
		p->role = STP_ROLE_ROOT;
		p->rrWhile = FwdDelay(p);
		break;
	case PRT_ROOT_PROPOSED:
	case PRT_ALTERNATE_PROPOSED:
		setSyncTree(s);
		p->proposed = false;
		break;
	case PRT_ROOT_AGREED:
		p->proposed = p->sync = false;
		p->agree = true;
		p->newInfo = true;
		break;
	case PRT_ALTERNATE_AGREED:
		p->proposed = false;
		p->agree = true;
		p->newInfo = true;
		break;
	case PRT_ROOT_SYNCED:
		p->synced = true;
		p->sync = false;
		break;
	case PRT_REROOT:
		setReRootTree(s);
		break;
	case PRT_ROOT_FORWARD:
		p->fdWhile = 0;
		p->forward = true;
		break;
	case PRT_ROOT_LEARN:
		p->fdWhile = forwardDelay(p);
		p->learn = true;
		break;
	case PRT_REROOTED:
		p->reRoot = false;
		break;
	case PRT_DESIGNATED_PORT:
		p->role = STP_ROLE_DESIGNATED;
		break;
	case PRT_DESIGNATED_PROPOSE:
		p->proposing = true;
		p->edgeDelayWhile = EdgeDelay(p);
		p->newInfo = true;
		break;
	case PRT_DESIGNATED_SYNCED:
		p->rrWhile = 0;
		p->synced = true;
		p->sync = false;
		break;
	case PRT_DESIGNATED_RETIRED:
		p->reRoot = false;
		break;
	case PRT_DESIGNATED_DISCARD:
		p->learn = p->forward = p->disputed = false;
		p->fdWhile = forwardDelay(p);
		break;
	case PRT_DESIGNATED_LEARN:
		p->learn = true;
		p->fdWhile = forwardDelay(p);
		break;
	case PRT_DESIGNATED_FORWARD:
		p->forward = true;
		p->fdWhile = 0;
		p->agreed = p->sendRSTP;
		break;
	case PRT_BLOCK_PORT:
		p->role = p->selectedRole;
		p->learn = p->forward = false;
		break;
	case PRT_ALTERNATE_PORT:
		p->fdWhile = forwardDelay(p);
		p->synced = true;
		p->rrWhile = 0;
		p->sync = p->reRoot = false;
		break;
	case PRT_BACKUP_PORT:
		p->rbWhile = 2 * HelloTime(p);
		break;
	}
}

static bool prt_is_root(uint8_t st) { return st >= PRT_ROOT_PORT && st <= PRT_REROOTED; }
static bool prt_is_designated(uint8_t st) { return st >= PRT_DESIGNATED_PORT && st <= PRT_DESIGNATED_FORWARD; }
static bool prt_is_alternate(uint8_t st) { return st >= PRT_BLOCK_PORT && st <= PRT_BACKUP_PORT; }

static bool prt_step(struct stp *s, struct port *p)
{
	bool ready = p->selected && !p->updtInfo;
	enum prt_state to;
	if (ready && p->role != p->selectedRole) {
		switch (p->selectedRole) {
		case STP_ROLE_DISABLED: to = PRT_DISABLE_PORT; break;
		case STP_ROLE_ROOT: to = PRT_ROOT_PORT; break;
		case STP_ROLE_DESIGNATED: to = PRT_DESIGNATED_PORT; break;
		default: to = PRT_BLOCK_PORT; break;
		}
		prt_enter(s, p, to);
		return true;
	}
	uint8_t st = p->prt;
	if (st == PRT_INIT_PORT) {
		prt_enter(s, p, PRT_DISABLE_PORT);
		return true;
	}
	if (st == PRT_DISABLE_PORT) {
		if (!(ready && !p->learning && !p->forwarding))
			return false;
		prt_enter(s, p, PRT_DISABLED_PORT);
		return true;
	}
	if (st == PRT_DISABLED_PORT) {
		if (!(ready && (p->fdWhile != MaxAge(p) || p->sync || p->reRoot || !p->synced)))
			return false;
		prt_enter(s, p, PRT_DISABLED_PORT);
		return true;
	}
	if (prt_is_root(st)) {
		if (st != PRT_ROOT_PORT) {
			prt_enter(s, p, PRT_ROOT_PORT);
			return true;
		}
		if (!ready)
			return false;
		bool fast = p->fdWhile == 0 || (reRooted(s, p) && p->rbWhile == 0 && rstp_version(s));
		if (p->proposed && !p->agree)
			to = PRT_ROOT_PROPOSED;
		else if ((allSynced(s, p) && !p->agree) || (p->proposed && p->agree))
			to = PRT_ROOT_AGREED;
		else if ((p->agreed && !p->synced) || (p->sync && p->synced))
			to = PRT_ROOT_SYNCED;
		else if (!p->forward && !p->reRoot)
			to = PRT_REROOT;
		else if (p->rrWhile != FwdDelay(p))
			to = PRT_ROOT_PORT;
		else if (p->reRoot && p->forward)
			to = PRT_REROOTED;
		else if (fast && !p->learn)
			to = PRT_ROOT_LEARN;
		else if (fast && p->learn && !p->forward)
			to = PRT_ROOT_FORWARD;
		else
			return false;
		prt_enter(s, p, to);
		return true;
	}
	if (prt_is_designated(st)) {
		if (st != PRT_DESIGNATED_PORT) {
			prt_enter(s, p, PRT_DESIGNATED_PORT);
			return true;
		}
		if (!ready)
			return false;
		bool may = (p->fdWhile == 0 || p->agreed || p->operEdge) && (p->rrWhile == 0 || !p->reRoot) && !p->sync;
		if (!p->forward && !p->agreed && !p->proposing && !p->operEdge)
			to = PRT_DESIGNATED_PROPOSE;
		else if ((!p->learning && !p->forwarding && !p->synced) || (p->agreed && !p->synced) ||
			 (p->operEdge && !p->synced) || (p->sync && p->synced))
			to = PRT_DESIGNATED_SYNCED;
		else if (p->rrWhile == 0 && p->reRoot)
			to = PRT_DESIGNATED_RETIRED;
		else if (((p->sync && !p->synced) || (p->reRoot && p->rrWhile) || p->disputed) && !p->operEdge &&
			 (p->learn || p->forward))
			to = PRT_DESIGNATED_DISCARD;
		else if (may && !p->learn)
			to = PRT_DESIGNATED_LEARN;
		else if (may && p->learn && !p->forward)
			to = PRT_DESIGNATED_FORWARD;
		else
			return false;
		prt_enter(s, p, to);
		return true;
	}
	if (prt_is_alternate(st)) {
		if (st == PRT_BLOCK_PORT) {
			if (!(ready && !p->learning && !p->forwarding))
				return false;
			prt_enter(s, p, PRT_ALTERNATE_PORT);
			return true;
		}
		if (st != PRT_ALTERNATE_PORT) {
			prt_enter(s, p, PRT_ALTERNATE_PORT);
			return true;
		}
		if (!ready)
			return false;
		if (p->proposed && !p->agree)
			to = PRT_ALTERNATE_PROPOSED;
		else if ((allSynced(s, p) && !p->agree) || (p->proposed && p->agree))
			to = PRT_ALTERNATE_AGREED;
		else if (p->fdWhile != forwardDelay(p) || p->sync || p->reRoot || !p->synced)
			to = PRT_ALTERNATE_PORT;
		else if (p->rbWhile != 2 * HelloTime(p) && p->role == STP_ROLE_BACKUP)
			to = PRT_BACKUP_PORT;
		else
			return false;
		prt_enter(s, p, to);
		return true;
	}
	return false;
}

static void pst_enter(struct stp *s, struct port *p, enum pst_state st)
{
	p->pst = st;
	p->learning = st != PST_DISCARDING;
	bool was = p->forwarding;
	p->forwarding = st == PST_FORWARDING;
	if (p->forwarding && !was)
		p->st.transitions_fwd++;
	if (s->ops && s->ops->set_state)
		s->ops->set_state(s->arg, p->num, p->learning, p->forwarding);
}

static bool pst_step(struct stp *s, struct port *p)
{
	switch (p->pst) {
	case PST_DISCARDING:
		if (!p->learn)
			return false;
		pst_enter(s, p, PST_LEARNING);
		return true;
	case PST_LEARNING:
		if (p->forward)
			pst_enter(s, p, PST_FORWARDING);
		else if (!p->learn)
			pst_enter(s, p, PST_DISCARDING);
		else
			return false;
		return true;
	default:
		if (p->forward)
			return false;
		pst_enter(s, p, PST_DISCARDING);
		return true;
	}
}

static void tcm_enter(struct stp *s, struct port *p, enum tcm_state st)
{
	p->tcm = st;
	switch (st) {
	case TCM_INACTIVE:
		p->fdbFlush = true;
		p->tcWhile = 0;
		p->tcAck = false;
		break;
	case TCM_LEARNING:
		p->rcvdTc = p->rcvdTcn = p->rcvdTcAck = false;
		p->tcProp = false;
		break;
	case TCM_DETECTED:
		newTcWhile(s, p);
		setTcPropTree(s, p);
		p->newInfo = true;
		count_tc(s, p);
		break;
	case TCM_ACTIVE:
		break;
	case TCM_NOTIFIED_TCN:
		newTcWhile(s, p);
		break;
	case TCM_NOTIFIED_TC:
		p->rcvdTcn = p->rcvdTc = false;
		if (p->role == STP_ROLE_DESIGNATED)
			p->tcAck = true;
		setTcPropTree(s, p);
		break;
	case TCM_PROPAGATING:
		newTcWhile(s, p);
		p->fdbFlush = true;
		p->tcProp = false;
		count_tc(s, p);
		break;
	case TCM_ACKNOWLEDGED:
		p->tcWhile = 0;
		p->rcvdTcAck = false;
		break;
	}
}

static bool tcm_step(struct stp *s, struct port *p)
{
	bool root_or_des = p->role == STP_ROLE_ROOT || p->role == STP_ROLE_DESIGNATED;
	bool any_rcvd = p->rcvdTc || p->rcvdTcn || p->rcvdTcAck || p->tcProp;
	enum tcm_state to;
	switch (p->tcm) {
	case TCM_INACTIVE:
		if (!(p->learn && !p->fdbFlush))
			return false;
		to = TCM_LEARNING;
		break;
	case TCM_LEARNING:
		if (root_or_des && p->forward && !p->operEdge)
			to = TCM_DETECTED;
		else if (any_rcvd)
			to = TCM_LEARNING;
		else if (!root_or_des && !(p->learn || p->learning))
			to = TCM_INACTIVE;
		else
			return false;
		break;
	case TCM_ACTIVE:
		if (!root_or_des || p->operEdge)
			to = TCM_LEARNING;
		else if (p->rcvdTcn)
			to = TCM_NOTIFIED_TCN;
		else if (p->rcvdTc)
			to = TCM_NOTIFIED_TC;
		else if (p->tcProp && !p->operEdge)
			to = TCM_PROPAGATING;
		else if (p->rcvdTcAck)
			to = TCM_ACKNOWLEDGED;
		else
			return false;
		break;
	case TCM_NOTIFIED_TCN:
		to = TCM_NOTIFIED_TC;
		break;
	default: /* DETECTED, NOTIFIED_TC, PROPAGATING, ACKNOWLEDGED */
		to = TCM_ACTIVE;
	}
	tcm_enter(s, p, to);
	return true;
}

enum { RUN_LIMIT = 10000 };

static void run(struct stp *s)
{
	if (s->mode == STP_MODE_OFF)
		return;
	for (unsigned i = 0; i < RUN_LIMIT; i++) {
		bool changed = prs_step(s);
		FOR_PORTS(s, p) {
			changed |= prx_step(s, p);
			changed |= ppm_step(s, p);
			changed |= bdm_step(s, p);
			changed |= pim_step(s, p);
			changed |= prt_step(s, p);
			changed |= pst_step(s, p);
			changed |= tcm_step(s, p);
			changed |= ptx_step(s, p);
			if (p->fdbFlush) {
				if (s->ops && s->ops->flush)
					s->ops->flush(s->arg, p->num);
				p->fdbFlush = false;
				changed = true;
			}
		}
		if (!changed)
			return;
	}
	s->loop_limit_hits++;
}

/* BEGIN for one port: every machine to its initial state (17.18.1). */
static void port_begin(struct stp *s, struct port *p)
{
	port_ids(s, p);
	p->designatedTimes = s->rootTimes;
	p->portPriority = p->designatedPriority = (struct vec){ s->rootPriority.root, s->rootPriority.cost,
							       s->bridgeId, p->portId, p->portId };
	p->portTimes = s->rootTimes;
	p->learning = p->forwarding = true; /* so the PST's DISCARDING tells the switch */
	prx_enter(p, PRX_DISCARD);
	ppm_enter(s, p, PPM_CHECKING_RSTP);
	p->bdm = p->adminEdge ? BDM_EDGE : BDM_NOT_EDGE;
	p->operEdge = p->adminEdge;
	p->ptx = PTX_INIT;
	p->newInfo = true;
	p->txCount = 0;
	p->infoIs = INFO_AGED; /* so that pim_enter(DISABLED) below always runs */
	pim_enter(s, p, PIM_DISABLED);
	prt_enter(s, p, PRT_INIT_PORT);
	pst_enter(s, p, PST_DISCARDING);
	tcm_enter(s, p, TCM_INACTIVE);
	p->selectedRole = STP_ROLE_DISABLED;
	p->updtInfo = false;
	p->disputed = p->mcheck = false;
	p->rcvdTc = p->rcvdTcn = p->rcvdTcAck = p->tcProp = false;
	p->helloWhen = p->tcWhile = p->rcvdInfoWhile = 0;
}

static void begin(struct stp *s)
{
	bridge_ids(s);
	s->rootPriority = s->bridgePriority;
	s->rootTimes = s->bridgeTimes;
	s->root_port = -1;
	s->prs = PRS_INIT_BRIDGE;
	FOR_PORTS(s, p) port_begin(s, p);
	/* updtRoleDisabledTree */
	FOR_PORTS(s, p) p->selectedRole = STP_ROLE_DISABLED;
	run(s);
}

/* ---- public API ---- */

struct stp *stp_new(unsigned nports, const uint8_t mac[6], const struct stp_ops *ops, void *arg)
{
	if (nports == 0 || nports > STP_MAX_PORTS + 1)
		return NULL;
	struct stp *s = calloc(1, sizeof(*s));
	if (!s || !(s->ports = calloc(nports, sizeof(*s->ports)))) {
		free(s);
		return NULL;
	}
	s->nports = nports;
	memcpy(s->mac, mac, 6);
	s->prio = STP_DEFAULT_BRIDGE_PRIORITY;
	s->ops = ops;
	s->arg = arg;
	s->root_port = -1;
	s->last_tc_s = UINT64_MAX;
	s->bridgeTimes = (struct times){ 0, STP_MAX_AGE, STP_FWD_DELAY, STP_HELLO_TIME };
	bridge_ids(s);
	s->rootPriority = s->bridgePriority;
	s->rootTimes = s->bridgeTimes;
	return s;
}

void stp_free(struct stp *s)
{
	if (!s)
		return;
	free(s->ports);
	free(s);
}

enum stp_mode stp_mode(const struct stp *s) { return s->mode; }

void stp_set_mode(struct stp *s, enum stp_mode mode)
{
	if (mode == s->mode)
		return;
	s->mode = mode;
	if (mode == STP_MODE_OFF) {
		FOR_PORTS(s, p) {
			p->learning = p->forwarding = true;
			p->role = p->selectedRole = STP_ROLE_DESIGNATED;
			p->tcWhile = 0;
			if (s->ops && s->ops->set_state)
				s->ops->set_state(s->arg, p->num, true, true);
		}
		s->root_port = -1;
		s->rootPriority = s->bridgePriority;
		return;
	}
	begin(s);
}

int stp_set_priority(struct stp *s, unsigned prio)
{
	if (prio > 61440 || prio % 4096)
		return EINVAL;
	s->prio = prio;
	bridge_ids(s);
	/* the bridge priority vector changed: reselect every port (17.13) */
	FOR_PORTS(s, p) p->reselect = true;
	s->prs = PRS_INIT_BRIDGE;
	run(s);
	return 0;
}

int stp_set_times(struct stp *s, unsigned hello, unsigned max_age, unsigned fwd_delay)
{
	if (hello < 1 || hello > 10 || max_age < 6 || max_age > 40 || fwd_delay < 4 || fwd_delay > 30 ||
	    2 * (fwd_delay - 1) < max_age || max_age < 2 * (hello + 1))
		return EINVAL;
	s->bridgeTimes = (struct times){ 0, max_age, fwd_delay, hello };
	FOR_PORTS(s, p) p->reselect = true;
	run(s);
	return 0;
}

int stp_set_numports(struct stp *s, unsigned nports)
{
	if (nports == 0 || nports > STP_MAX_PORTS + 1)
		return EINVAL;
	struct port *np = calloc(nports, sizeof(*np));
	if (!np)
		return ENOMEM;
	memcpy(np, s->ports, (nports < s->nports ? nports : s->nports) * sizeof(*np));
	free(s->ports);
	s->ports = np;
	s->nports = nports;
	FOR_PORTS(s, p) p->reselect = true;
	run(s);
	return 0;
}

static struct port *getp(struct stp *s, unsigned port)
{
	return port < s->nports && s->ports[port].exists ? &s->ports[port] : NULL;
}

/* The port's management settings, which outlive attachments (a switch
 * port is configured before its endpoint comes). NULL out of range. */
static struct port *cfgp(struct stp *s, unsigned port)
{
	if (port >= s->nports)
		return NULL;
	struct port *p = &s->ports[port];
	if (!p->configured) {
		p->configured = true;
		p->num = port;
		p->prio = STP_DEFAULT_PORT_PRIORITY;
		p->autoEdge = true;
		p->adminP2P = true;
	}
	return p;
}

/* Forget the protocol state of a port, keep its settings. */
static void port_clear(struct port *p)
{
	struct port keep = *p;
	memset(p, 0, sizeof(*p));
	p->configured = keep.configured;
	p->num = keep.num;
	p->admin_cost = keep.admin_cost;
	p->bonus = keep.bonus;
	p->prio = keep.prio;
	p->adminEdge = keep.adminEdge;
	p->autoEdge = keep.autoEdge;
	p->adminP2P = keep.adminP2P;
}

int stp_port_add(struct stp *s, unsigned port, bool up)
{
	struct port *p = cfgp(s, port);
	if (!p)
		return EINVAL;
	if (!p->exists) {
		port_clear(p);
		p->exists = true;
	}
	p->portEnabled = up;
	if (s->mode == STP_MODE_OFF)
		return 0;
	port_begin(s, p);
	p->portEnabled = up;
	run(s);
	return 0;
}

void stp_port_remove(struct stp *s, unsigned port)
{
	struct port *p = getp(s, port);
	if (!p)
		return;
	p->portEnabled = false;
	run(s);
	port_clear(p);
	FOR_PORTS(s, q) q->reselect = true;
	run(s);
}

void stp_port_set_enabled(struct stp *s, unsigned port, bool up)
{
	struct port *p = getp(s, port);
	if (!p || p->portEnabled == up)
		return;
	p->portEnabled = up;
	run(s);
}

static void reselect_all(struct stp *s)
{
	FOR_PORTS(s, q) q->reselect = true;
	run(s);
}

int stp_port_set_cost(struct stp *s, unsigned port, uint32_t cost)
{
	struct port *p = cfgp(s, port);
	if (!p || cost > 200000000)
		return EINVAL;
	p->admin_cost = cost;
	p->PortPathCost = effective_cost(p);
	reselect_all(s);
	return 0;
}

int stp_port_set_bonus(struct stp *s, unsigned port, uint32_t bonus)
{
	struct port *p = cfgp(s, port);
	if (!p)
		return EINVAL;
	for (unsigned i = 0; i < s->nports; i++) {
		s->ports[i].bonus = 0;
		s->ports[i].PortPathCost = effective_cost(&s->ports[i]);
	}
	p->bonus = bonus;
	p->PortPathCost = effective_cost(p);
	reselect_all(s);
	return 0;
}

int stp_port_set_priority(struct stp *s, unsigned port, unsigned prio)
{
	struct port *p = cfgp(s, port);
	if (!p || prio > 240 || prio % 16)
		return EINVAL;
	p->prio = prio;
	port_ids(s, p);
	reselect_all(s);
	return 0;
}

int stp_port_set_edge(struct stp *s, unsigned port, bool edge)
{
	struct port *p = cfgp(s, port);
	if (!p)
		return EINVAL;
	p->adminEdge = edge;
	if (!p->exists)
		return 0;
	if (edge && !p->operEdge) {
		/* as a BEGIN of the Bridge Detection machine: edge at once */
		p->bdm = BDM_EDGE;
		p->operEdge = true;
	} else if (!edge && p->operEdge) {
		p->operEdge = false;
	}
	run(s);
	return 0;
}

int stp_port_set_p2p(struct stp *s, unsigned port, bool p2p)
{
	struct port *p = cfgp(s, port);
	if (!p)
		return EINVAL;
	p->adminP2P = p2p;
	run(s);
	return 0;
}

int stp_port_mcheck(struct stp *s, unsigned port)
{
	struct port *p = getp(s, port);
	if (!p)
		return EINVAL;
	p->mcheck = true;
	run(s);
	return 0;
}

void stp_rx(struct stp *s, unsigned port, const uint8_t *frame, size_t len)
{
	struct port *p = getp(s, port);
	if (!p || s->mode == STP_MODE_OFF)
		return;
	struct bpdu b;
	enum bpdu_err e = bpdu_parse(frame, len, &b);
	if (e != BPDU_OK) {
		p->st.rx_bad[e]++;
		return;
	}
	if (b.type == BPDU_TCN)
		p->st.rx_tcn++;
	else if (b.type == BPDU_CONFIG)
		p->st.rx_config++;
	else
		p->st.rx_rst++;
	if (!p->portEnabled)
		return;
	p->rx = b;
	p->rcvdBpdu = true;
	run(s);
}

void stp_tick(struct stp *s)
{
	s->now_s++;
	if (s->mode == STP_MODE_OFF)
		return;
	FOR_PORTS(s, p) {
		unsigned *t[] = { &p->helloWhen, &p->tcWhile, &p->fdWhile, &p->rcvdInfoWhile, &p->rrWhile,
				  &p->rbWhile, &p->mdelayWhile, &p->edgeDelayWhile, &p->txCount };
		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
			if (*t[i])
				(*t[i])--;
	}
	run(s);
}

void stp_bridge_get(const struct stp *s, struct stp_bridge_info *bi)
{
	memset(bi, 0, sizeof(*bi));
	bi->mode = s->mode;
	bi->bridge_id = s->bridgeId;
	bi->root_id = s->mode ? s->rootPriority.root : s->bridgeId;
	bi->root_cost = s->mode ? s->rootPriority.cost : 0;
	bi->root_port = s->mode && s->root_port >= 0 ? (unsigned)s->root_port : 0;
	bi->max_age = s->rootTimes.max_age;
	bi->hello = s->rootTimes.hello;
	bi->fwd_delay = s->rootTimes.fwd_delay;
	bi->tc_count = s->tc_count;
	bi->tc_ago_s = s->last_tc_s == UINT64_MAX ? UINT32_MAX : (unsigned)(s->now_s - s->last_tc_s);
	for (unsigned i = 0; i < s->nports; i++)
		if (s->ports[i].exists && s->ports[i].tcWhile)
			bi->tc_active = true;
}

bool stp_port_get(const struct stp *s, unsigned port, struct stp_port_info *pi)
{
	memset(pi, 0, sizeof(*pi));
	if (port >= s->nports)
		return false;
	const struct port *p = &s->ports[port];
	pi->exists = p->exists;
	if (!p->exists)
		return true;
	pi->enabled = p->portEnabled;
	pi->role = s->mode ? p->role : STP_ROLE_DESIGNATED;
	pi->state = s->mode ? (enum stp_state)p->pst : STP_FORWARDING;
	pi->cost = effective_cost(p);
	pi->bonus = p->bonus;
	pi->priority = p->prio;
	pi->admin_edge = p->adminEdge;
	pi->oper_edge = p->operEdge;
	pi->p2p = p->adminP2P;
	pi->send_rstp = p->sendRSTP;
	pi->designated_root = p->portPriority.root;
	pi->designated_bridge = p->portPriority.bridge;
	pi->designated_cost = p->portPriority.cost;
	pi->designated_port = p->portPriority.port;
	pi->port_id = (uint16_t)((p->prio & 0xf0) << 8 | (p->num & 0x0fff));
	pi->tc_while = p->tcWhile;
	pi->st = p->st;
	return true;
}
