#include "app_state.h"

#include <string.h>

#include <glib.h>

#define TO(s) (1u << (s))

static const struct {
	const char *name;
	unsigned properties;
	unsigned moves; /* TO(state) for each state the rules lead to */
} states[APP_STATE_COUNT] = {
	[APP_INCOMPLETE] = { "incomplete", APP_TAKES_DOCUMENTS | APP_UNDER_WAY,
			     TO(APP_PENDING) | TO(APP_NEXT_EDITION) | TO(APP_WITHDRAWN) },
	[APP_PENDING] = { "pending", APP_TAKES_DOCUMENTS | APP_UNDER_WAY | APP_UNDECIDED,
			  TO(APP_IN_REVIEW) | TO(APP_INCOMPLETE) | TO(APP_NEXT_EDITION) |
				  TO(APP_WITHDRAWN) },
	[APP_IN_REVIEW] = { "in_review", APP_UNDER_WAY | APP_UNDECIDED | APP_DECIDABLE,
			    TO(APP_ACCEPTED) | TO(APP_DISCARDED) | TO(APP_RESERVE) |
				    TO(APP_WITHDRAWN) },
	[APP_ACCEPTED] = { "accepted", APP_FINAL, TO(APP_WITHDRAWN) },
	[APP_DISCARDED] = { "discarded", APP_FINAL, 0 },
	/* The reserve list moves as places free up. */
	[APP_RESERVE] = { "reserve", APP_UNDER_WAY | APP_DECIDABLE,
			  TO(APP_ACCEPTED) | TO(APP_DISCARDED) | TO(APP_WITHDRAWN) },
	[APP_NEXT_EDITION] = { "next_edition", APP_TAKES_DOCUMENTS | APP_UNDER_WAY,
			       TO(APP_PENDING) | TO(APP_INCOMPLETE) | TO(APP_WITHDRAWN) },
	[APP_WITHDRAWN] = { "withdrawn", APP_FINAL, 0 },
};

static const struct {
	const char *name;
	enum app_state_property property;
} property_names[] = {
	{ "takes_documents", APP_TAKES_DOCUMENTS },
	{ "under_way", APP_UNDER_WAY },
	{ "undecided", APP_UNDECIDED },
	{ "decidable", APP_DECIDABLE },
	{ "final", APP_FINAL },
};

const char *app_state_name(enum app_state s)
{
	return states[s].name;
}

bool app_state_parse(const char *name, enum app_state *s_r)
{
	for (int s = 0; s < APP_STATE_COUNT; s++)
		if (strcmp(states[s].name, name) == 0) {
			*s_r = (enum app_state)s;
			return true;
		}
	return false;
}

bool app_state_is(enum app_state s, enum app_state_property p)
{
	return (states[s].properties & p) != 0;
}

bool app_state_property_parse(const char *name, enum app_state_property *p_r)
{
	for (size_t i = 0; i < G_N_ELEMENTS(property_names); i++)
		if (strcmp(property_names[i].name, name) == 0) {
			*p_r = property_names[i].property;
			return true;
		}
	return false;
}

bool app_state_may_move(enum app_state from, enum app_state to)
{
	return (states[from].moves & TO(to)) != 0;
}
