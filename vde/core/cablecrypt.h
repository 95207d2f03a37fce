/* cablecrypt.h - framing and keys of the encrypted UDP cable ("cable v1").
 *
 * One Ethernet frame per UDP datagram, sealed with libsodium's
 * crypto_aead_xchacha20poly1305_ietf (DESIGN.md §6):
 *
 *   | type=1 | ver=1 | flags=0 (2) | sender (4) | epoch (8) | counter (8) |  24 B, authenticated
 *   | ciphertext of the frame (len)                                      |
 *   | Poly1305 tag (16)                                                   |
 *
 * type 1 carries a frame; type 2 is a keepalive, sealed the same way with
 * an empty body (40 bytes), sent by an idle cable every few seconds so the
 * far end can tell "idle" from "down" (ep_cable.c).
 *
 * Multi-byte header fields are little-endian. `sender` is random per start,
 * `epoch` is CLOCK_REALTIME in ns at start, `counter` counts datagrams from 0.
 * The 24-byte nonce is sender ‖ epoch ‖ counter ‖ 0⁴: unique per key with no
 * handshake, across directions and restarts, so loss and reordering cost
 * nothing. Overhead: 40 B, plus 28 B of IPv4+UDP.
 *
 * Keys, one per direction:
 *  - pre-shared key (32 B): the sender's key is
 *    crypto_kdf_derive_from_key(id = sender, ctx "vdecabl1", psk); the
 *    receiver derives it again from the (authenticated) sender field;
 *  - key pairs: crypto_kx session keys, the side with the smaller public key
 *    playing the client; an optional PSK is mixed in with a keyed BLAKE2b
 *    (crypto_generichash), WireGuard's "psk" idea.
 *
 * Receive: decrypt first, then the anti-replay window (replay.h). A greater
 * epoch that authenticates starts a new session (peer restart); the previous
 * session is kept CC_PREV_KEEP_NS for frames still in flight; a smaller epoch
 * is refused (an old session's traffic replayed).
 */
#ifndef VDE_CORE_CABLECRYPT_H
#define VDE_CORE_CABLECRYPT_H

#include <stddef.h>
#include <stdint.h>

#include "replay.h"

enum {
	CC_HDR_LEN = 24,
	CC_TAG_LEN = 16,
	CC_OVERHEAD = CC_HDR_LEN + CC_TAG_LEN,
	CC_KEY_LEN = 32,
	CC_TYPE_DATA = 1,
	CC_TYPE_KEEPALIVE = 2,
	CC_VERSION = 1,
};
#define CC_PREV_KEEP_NS (5ULL * 1000000000ULL)

struct cc_hdr {
	uint8_t type, version;
	uint16_t flags;
	uint32_t sender;
	uint64_t epoch;
	uint64_t counter;
} __attribute__((packed));
_Static_assert(sizeof(struct cc_hdr) == CC_HDR_LEN, "cable v1 header");

enum cc_verdict {
	CC_OK = 0,
	CC_TRUNCATED,    /* shorter than header + tag */
	CC_BAD_TYPE,     /* type not 1 or 2, or a keepalive with a body */
	CC_BAD_VERSION,  /* version != 1 or flags != 0 */
	CC_AUTH_FAIL,    /* forged, corrupted or under another key */
	CC_REPLAY,       /* counter seen before in this session */
	CC_TOO_OLD,      /* counter behind the replay window */
	CC_OLD_EPOCH,    /* an older session than the current one */
	CC__N
};
extern const char *const cc_verdict_names[CC__N]; /* "ok", "truncated", ... */

struct cc_session {
	int valid;
	uint32_t sender;
	uint64_t epoch;
	uint64_t expire_ns;  /* prev session only: dropped after this */
	uint8_t key[CC_KEY_LEN];
	struct replay_window win;
};

struct cc_state {
	int kx;                        /* 1: key-pair mode; 0: PSK mode */
	uint8_t psk[CC_KEY_LEN];
	uint8_t kx_rx[CC_KEY_LEN];     /* key-pair mode: the peer's sending key */
	uint32_t sender;               /* ours, random per start */
	uint64_t epoch;                /* ours */
	uint64_t counter;              /* next counter we send */
	uint8_t tx_key[CC_KEY_LEN];
	struct cc_session cur, prev;   /* the peer's sessions */
	uint64_t drops[CC__N];         /* by verdict; drops[CC_OK] counts accepted */
	uint64_t sessions;             /* peer sessions started (restarts seen + 1) */
	uint64_t last_rx_ns;           /* time of the last accepted datagram, 0: never */
};

/* Initialise libsodium (idempotent). Returns 0 or -1 if it cannot run. */
int cc_global_init(void);

/* Set up `st` for a pre-shared key. sender/epoch: our identity for this
 * start (pass randombytes_random() and CLOCK_REALTIME ns; tests pass fixed
 * values). */
void cc_init_psk(struct cc_state *st, const uint8_t psk[CC_KEY_LEN], uint32_t sender, uint64_t epoch);

/* Set up `st` for key pairs (X25519 via crypto_kx). psk may be NULL.
 * Returns 0, or -1 if the peer's public key is unusable (all zero, equal
 * to ours). */
int cc_init_kx(struct cc_state *st, const uint8_t my_pk[32], const uint8_t my_sk[32],
	       const uint8_t peer_pk[32], const uint8_t *psk, uint32_t sender, uint64_t epoch);

/* Seal one frame: writes header, ciphertext and tag to out (len + CC_OVERHEAD
 * bytes). frame may be out + CC_HDR_LEN (in place). Returns the datagram
 * length. */
size_t cc_seal(struct cc_state *st, uint8_t *out, const uint8_t *frame, size_t len);
/* Seal a keepalive (type 2, no body) into out (CC_OVERHEAD bytes): it spends
 * a counter like a frame, so a replayed keepalive is refused. Returns
 * CC_OVERHEAD. */
size_t cc_seal_keepalive(struct cc_state *st, uint8_t *out);

/* Open one datagram in place: on CC_OK the frame is at dgram + CC_HDR_LEN,
 * *frame_len bytes long, and dgram[0] (authenticated) says what it is:
 * CC_TYPE_DATA, or CC_TYPE_KEEPALIVE with *frame_len 0 (nothing to
 * deliver). Every other verdict leaves the state unchanged
 * (apart from its counter in st->drops) and the bytes must be dropped.
 * now_ns: CLOCK_MONOTONIC, for the previous session's expiry. */
enum cc_verdict cc_open(struct cc_state *st, uint8_t *dgram, size_t len, uint64_t now_ns,
			size_t *frame_len);

/* Wipe keys. */
void cc_clear(struct cc_state *st);

/* Key files: one line of standard base64 (as `wg genkey`), 32 bytes.
 * Secret keys (PSK, private key) must not be accessible to group or others:
 * such a file is refused with EACCES and a message telling how to fix it.
 * Returns 0 or an errno (ENOENT, EACCES, EINVAL for bad content) with a
 * one-line reason in err. */
int cc_key_load(const char *path, int secret, uint8_t key[CC_KEY_LEN], char *err, size_t errlen);

/* Write a new random PSK (pk_path NULL) or a key pair: the secret key to
 * path with mode 0600 (O_EXCL: an existing file is never overwritten,
 * EEXIST) and the public key to pk_path with mode 0644. Returns 0 or an
 * errno with a reason in err. */
int cc_key_generate(const char *path, const char *pk_path, char *err, size_t errlen);

/* The public key of a private key (X25519 base point multiplication). */
void cc_public_key(const uint8_t sk[32], uint8_t pk[32]);

#endif
