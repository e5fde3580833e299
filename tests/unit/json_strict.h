/*
 * Parse JSON strictly and as valid UTF-8, the same on every json-c.
 * json-c 0.18's JSON_TOKENER_STRICT refuses every byte >= 0x80 in a string
 * (json-c issues 875, 892), so UTF-8 is checked in one pass and the strict
 * grammar in a second over a copy with those bytes made ASCII: a non-ASCII
 * byte outside a string is as much a grammar error after that as before.
 */
#ifndef TESTS_JSON_STRICT_H
#define TESTS_JSON_STRICT_H

#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

static inline json_object *json_strict_utf8_parse(const char *s, const char **why)
{
    json_tokener *tok = json_tokener_new();
    json_object *o = NULL, *ascii_o = NULL;
    size_t i, n = strlen(s);
    char *ascii = malloc(n + 1);

    *why = "out of memory";
    if (tok == NULL || ascii == NULL)
        goto done;
    json_tokener_set_flags(tok, JSON_TOKENER_VALIDATE_UTF8);
    if ((o = json_tokener_parse_ex(tok, s, (int)n)) == NULL) {
        *why = json_tokener_error_desc(json_tokener_get_error(tok));
        goto done;
    }
    for (i = 0; i < n; i++)
        ascii[i] = (unsigned char)s[i] >= 0x80 ? 'x' : s[i];
    ascii[n] = '\0';
    json_tokener_reset(tok);
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    if ((ascii_o = json_tokener_parse_ex(tok, ascii, (int)n)) == NULL) {
        *why = json_tokener_error_desc(json_tokener_get_error(tok));
        json_object_put(o);
        o = NULL;
    }
done:
    json_object_put(ascii_o);
    json_tokener_free(tok);
    free(ascii);
    return o;
}

#endif
