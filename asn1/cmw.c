/* CMW JSON records inside X.509 CMW statements (include/attest/cmw.h). */
#include <string.h>
#include <json-c/json.h>
#include <openssl/asn1.h>

#include "attest/cmw.h"
#include "attest/escape.h"
#include "attest/limits.h"

int attest_cmw_record_encode(const char *media_type, const unsigned char *data, size_t len, unsigned char **der,
                             size_t *der_len, attest_err *err)
{
    json_object *rec = json_object_new_array();
    char *b64 = attest_b64url(data, len);
    ASN1_UTF8STRING *s = ASN1_UTF8STRING_new();
    const char *text;
    int n = -1;

    *der = NULL;
    if (rec == NULL || b64 == NULL || s == NULL)
        goto done;
    json_object_array_add(rec, json_object_new_string(media_type));
    json_object_array_add(rec, json_object_new_string(b64));
    text = json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    if (text == NULL || !ASN1_STRING_set(s, text, (int)strlen(text)))
        goto done;
    n = i2d_ASN1_UTF8STRING(s, der);
done:
    json_object_put(rec);
    OPENSSL_free(b64);
    ASN1_UTF8STRING_free(s);
    if (n <= 0) {
        attest_err_set(err, "out of memory wrapping %s evidence in a CMW record", media_type);
        return -1;
    }
    *der_len = (size_t)n;
    return 0;
}

int attest_cmw_record_decode(const unsigned char *der, size_t len, char **media_type, unsigned char **data,
                             size_t *data_len, attest_err *err)
{
    const unsigned char *p = der;
    ASN1_UTF8STRING *s = NULL;
    json_tokener *tok = NULL;
    json_object *rec = NULL, *type, *value;
    int r = -1;

    *media_type = NULL;
    if (data != NULL)
        *data = NULL;
    if (len > ATTEST_MAX_INPUT || (s = d2i_ASN1_UTF8STRING(NULL, &p, (long)len)) == NULL || p != der + len
        || (size_t)i2d_ASN1_UTF8STRING(s, NULL) != len) {
        attest_err_set(err, "CMW: not a DER UTF8String (the JSON form)");
        goto done;
    }
    if ((tok = json_tokener_new()) == NULL)
        goto oom;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    rec = json_tokener_parse_ex(tok, (const char *)s->data, s->length);
    if (rec == NULL || json_tokener_get_error(tok) != json_tokener_success
        || json_tokener_get_parse_end(tok) != (size_t)s->length || !json_object_is_type(rec, json_type_array)
        || json_object_array_length(rec) != 2
        || !json_object_is_type(type = json_object_array_get_idx(rec, 0), json_type_string)
        || !json_object_is_type(value = json_object_array_get_idx(rec, 1), json_type_string)) {
        attest_err_set(err, "CMW: not a JSON record [\"media/type\", \"base64url\"]");
        goto done;
    }
    if (data != NULL
        && (*data = attest_b64url_decode(json_object_get_string(value), (size_t)json_object_get_string_len(value),
                                         ATTEST_MAX_INPUT * 2, data_len))
            == NULL) {
        attest_err_set(err, "CMW: the record's value is not unpadded base64url");
        goto done;
    }
    if ((*media_type = OPENSSL_strdup(json_object_get_string(type))) == NULL)
        goto oom;
    r = 0;
    goto done;
oom:
    attest_err_set(err, "out of memory");
done:
    if (r != 0 && data != NULL) {
        OPENSSL_free(*data);
        *data = NULL;
    }
    json_object_put(rec);
    if (tok != NULL)
        json_tokener_free(tok);
    ASN1_UTF8STRING_free(s);
    return r;
}
