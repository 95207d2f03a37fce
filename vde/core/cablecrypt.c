#include "cablecrypt.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == CC_KEY_LEN, "key size");
_Static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == CC_TAG_LEN, "tag size");
_Static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == 24, "nonce size");
_Static_assert(crypto_kdf_KEYBYTES == CC_KEY_LEN, "kdf key size");
_Static_assert(crypto_kx_SESSIONKEYBYTES == CC_KEY_LEN, "kx key size");

static const char kdf_ctx[crypto_kdf_CONTEXTBYTES + 1] = "vdecabl1";

const char *const cc_verdict_names[CC__N] = {
	"ok", "truncated", "bad_type", "bad_version", "auth_fail", "replay", "too_old", "old_epoch",
};

int cc_global_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

static void base_init(struct cc_state *st, uint32_t sender, uint64_t epoch)
{
	memset(st, 0, sizeof(*st));
	st->sender = sender;
	st->epoch = epoch;
}

void cc_init_psk(struct cc_state *st, const uint8_t psk[CC_KEY_LEN], uint32_t sender, uint64_t epoch)
{
	base_init(st, sender, epoch);
	memcpy(st->psk, psk, CC_KEY_LEN);
	crypto_kdf_derive_from_key(st->tx_key, CC_KEY_LEN, sender, kdf_ctx, psk);
}

int cc_init_kx(struct cc_state *st, const uint8_t my_pk[32], const uint8_t my_sk[32],
	       const uint8_t peer_pk[32], const uint8_t *psk, uint32_t sender, uint64_t epoch)
{
	base_init(st, sender, epoch);
	st->kx = 1;
	int cmp = memcmp(my_pk, peer_pk, 32);
	int rc = cmp < 0 ? crypto_kx_client_session_keys(st->kx_rx, st->tx_key, my_pk, my_sk, peer_pk)
		: cmp > 0 ? crypto_kx_server_session_keys(st->kx_rx, st->tx_key, my_pk, my_sk, peer_pk)
		: -1;
	if (rc != 0) {
		cc_clear(st);
		return -1;
	}
	if (psk) {
		crypto_generichash(st->kx_rx, CC_KEY_LEN, st->kx_rx, CC_KEY_LEN, psk, CC_KEY_LEN);
		crypto_generichash(st->tx_key, CC_KEY_LEN, st->tx_key, CC_KEY_LEN, psk, CC_KEY_LEN);
	}
	return 0;
}

void cc_clear(struct cc_state *st)
{
	sodium_memzero(st, sizeof(*st));
}

/* nonce = sender ‖ epoch ‖ counter ‖ 0⁴: the header's bytes 4..23, padded */
static void make_nonce(uint8_t nonce[24], const uint8_t *hdr)
{
	memcpy(nonce, hdr + 4, 20);
	memset(nonce + 20, 0, 4);
}

static size_t seal(struct cc_state *st, uint8_t type, uint8_t *out, const uint8_t *frame, size_t len)
{
	struct cc_hdr h = {
		.type = type, .version = CC_VERSION, .flags = 0,
		.sender = htole32(st->sender), .epoch = htole64(st->epoch),
		.counter = htole64(st->counter++),
	};
	uint8_t nonce[24];
	memcpy(out, &h, CC_HDR_LEN);
	make_nonce(nonce, out);
	crypto_aead_xchacha20poly1305_ietf_encrypt_detached(out + CC_HDR_LEN, out + CC_HDR_LEN + len, NULL,
							    frame, len, out, CC_HDR_LEN, NULL, nonce,
							    st->tx_key);
	return len + CC_OVERHEAD;
}

size_t cc_seal(struct cc_state *st, uint8_t *out, const uint8_t *frame, size_t len)
{
	return seal(st, CC_TYPE_DATA, out, frame, len);
}

size_t cc_seal_keepalive(struct cc_state *st, uint8_t *out)
{
	return seal(st, CC_TYPE_KEEPALIVE, out, out + CC_HDR_LEN, 0);
}

static enum cc_verdict count(struct cc_state *st, enum cc_verdict v)
{
	st->drops[v]++;
	return v;
}

enum cc_verdict cc_open(struct cc_state *st, uint8_t *dgram, size_t len, uint64_t now_ns,
			size_t *frame_len)
{
	struct cc_hdr h;
	if (len < CC_OVERHEAD)
		return count(st, CC_TRUNCATED);
	memcpy(&h, dgram, CC_HDR_LEN);
	if (h.type != CC_TYPE_DATA && !(h.type == CC_TYPE_KEEPALIVE && len == CC_OVERHEAD))
		return count(st, CC_BAD_TYPE);
	if (h.version != CC_VERSION || h.flags != 0)
		return count(st, CC_BAD_VERSION);
	uint32_t sender = le32toh(h.sender);
	uint64_t epoch = le64toh(h.epoch), counter = le64toh(h.counter);

	struct cc_session cand, *s;
	if (st->cur.valid && sender == st->cur.sender && epoch == st->cur.epoch) {
		s = &st->cur;
	} else if (st->prev.valid && sender == st->prev.sender && epoch == st->prev.epoch &&
		   now_ns < st->prev.expire_ns) {
		s = &st->prev;
	} else if (!st->cur.valid || epoch > st->cur.epoch) {
		s = &cand; /* a new session of the peer, if it authenticates */
		s->valid = 1;
		s->sender = sender;
		s->epoch = epoch;
		s->expire_ns = 0;
		if (st->kx)
			memcpy(s->key, st->kx_rx, CC_KEY_LEN);
		else
			crypto_kdf_derive_from_key(s->key, CC_KEY_LEN, sender, kdf_ctx, st->psk);
		replay_reset(&s->win);
	} else {
		return count(st, CC_OLD_EPOCH);
	}

	uint8_t nonce[24];
	size_t clen = len - CC_OVERHEAD;
	make_nonce(nonce, dgram);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt_detached(dgram + CC_HDR_LEN, NULL, dgram + CC_HDR_LEN,
								clen, dgram + CC_HDR_LEN + clen, dgram,
								CC_HDR_LEN, nonce, s->key) != 0) {
		if (s == &cand)
			sodium_memzero(&cand.key, sizeof(cand.key));
		return count(st, CC_AUTH_FAIL);
	}
	enum replay_verdict rv = replay_check(&s->win, counter);
	if (rv == REPLAY_DUP)
		return count(st, CC_REPLAY);
	if (rv == REPLAY_OLD)
		return count(st, CC_TOO_OLD);
	if (s == &cand) {
		st->prev = st->cur;
		st->prev.expire_ns = now_ns + CC_PREV_KEEP_NS;
		st->cur = cand;
		sodium_memzero(&cand.key, sizeof(cand.key));
		st->sessions++;
	}
	st->last_rx_ns = now_ns;
	*frame_len = clen;
	return count(st, CC_OK);
}

int cc_key_load(const char *path, int secret, uint8_t key[CC_KEY_LEN], char *err, size_t errlen)
{
	char text[256];
	struct stat sb;
	int rc;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = errno;
		snprintf(err, errlen, "key file %s: %s", path, strerror(rc));
		return rc;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "key file %s: not a regular file", path);
		close(fd);
		return EINVAL;
	}
	if (secret && (sb.st_mode & 077)) {
		snprintf(err, errlen, "key file %s has mode %04o: others may read it; refusing it "
			 "(run: chmod 600 %s)", path, (unsigned)(sb.st_mode & 07777), path);
		close(fd);
		return EACCES;
	}
	ssize_t n = read(fd, text, sizeof(text) - 1);
	rc = errno;
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "key file %s: %s", path, strerror(rc));
		return rc;
	}
	text[n] = '\0';
	text[strcspn(text, "\r\n")] = '\0';
	size_t got = 0;
	uint8_t buf[64];
	if (sodium_base642bin(buf, sizeof(buf), text, strlen(text), NULL, &got, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 || got != CC_KEY_LEN) {
		snprintf(err, errlen, "key file %s: expected one line of base64 holding 32 bytes "
			 "(make one with vdelab-plug --genkey)", path);
		sodium_memzero(buf, sizeof(buf));
		sodium_memzero(text, sizeof(text));
		return EINVAL;
	}
	memcpy(key, buf, CC_KEY_LEN);
	sodium_memzero(buf, sizeof(buf));
	sodium_memzero(text, sizeof(text));
	return 0;
}

static int write_key(const char *path, const uint8_t key[CC_KEY_LEN], mode_t mode, char *err, size_t errlen)
{
	char text[sodium_base64_ENCODED_LEN(CC_KEY_LEN, sodium_base64_VARIANT_ORIGINAL) + 1];
	int rc = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		rc = errno;
		snprintf(err, errlen, "%s: %s%s", path, strerror(rc),
			 rc == EEXIST ? " (an existing key is never overwritten)" : "");
		return rc;
	}
	sodium_bin2base64(text, sizeof(text) - 1, key, CC_KEY_LEN, sodium_base64_VARIANT_ORIGINAL);
	size_t n = strlen(text);
	text[n++] = '\n';
	if (fchmod(fd, mode) < 0 || write(fd, text, n) != (ssize_t)n || fsync(fd) < 0) {
		rc = errno ? errno : EIO;
		snprintf(err, errlen, "%s: %s", path, strerror(rc));
		unlink(path);
	}
	close(fd);
	sodium_memzero(text, sizeof(text));
	return rc;
}

int cc_key_generate(const char *path, const char *pk_path, char *err, size_t errlen)
{
	uint8_t sk[CC_KEY_LEN], pk[CC_KEY_LEN];
	int rc;
	if (cc_global_init() < 0) {
		snprintf(err, errlen, "libsodium cannot initialise");
		return EIO;
	}
	if (pk_path)
		crypto_kx_keypair(pk, sk);
	else
		randombytes_buf(sk, sizeof(sk));
	rc = write_key(path, sk, 0600, err, errlen);
	if (!rc && pk_path && (rc = write_key(pk_path, pk, 0644, err, errlen)))
		unlink(path);
	sodium_memzero(sk, sizeof(sk));
	return rc;
}

void cc_public_key(const uint8_t sk[32], uint8_t pk[32])
{
	crypto_scalarmult_base(pk, sk);
}
