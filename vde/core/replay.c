#include "replay.h"

#include <string.h>

void replay_reset(struct replay_window *w)
{
	memset(w, 0, sizeof(*w));
}

enum replay_verdict replay_check(struct replay_window *w, uint64_t c)
{
	if (c == UINT64_MAX)
		return REPLAY_OLD;
	uint64_t n = c + 1; /* 1-based, so top == 0 means "nothing yet" */
	if (w->top > REPLAY_WINDOW && n < w->top - REPLAY_WINDOW)
		return REPLAY_OLD;
	uint64_t word = n / 64;
	if (n > w->top) {
		uint64_t cur = w->top / 64;
		uint64_t clear = word - cur < REPLAY_WORDS ? word - cur : REPLAY_WORDS;
		for (uint64_t i = 1; i <= clear; i++)
			w->words[(cur + i) % REPLAY_WORDS] = 0;
		w->top = n;
	}
	uint64_t *slot = &w->words[word % REPLAY_WORDS];
	uint64_t bit = 1ULL << (n % 64);
	if (*slot & bit)
		return REPLAY_DUP;
	*slot |= bit;
	return REPLAY_OK;
}
