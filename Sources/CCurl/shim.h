// libcurl for the host's URL inputs (Debian: libcurl4-openssl-dev). curl_easy_setopt and
// curl_easy_getinfo are variadic, which Swift cannot call: these typed wrappers call them.
#include <curl/curl.h>

static inline CURLcode tw_curl_set_long(CURL *c, CURLoption o, long v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode tw_curl_set_string(CURL *c, CURLoption o, const char *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode tw_curl_set_pointer(CURL *c, CURLoption o, void *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode tw_curl_set_callback(CURL *c, CURLoption o, curl_write_callback f) { return curl_easy_setopt(c, o, f); }
static inline CURLcode tw_curl_get_long(CURL *c, CURLINFO i, long *v) { return curl_easy_getinfo(c, i, v); }
static inline CURLcode tw_curl_get_string(CURL *c, CURLINFO i, char **v) { return curl_easy_getinfo(c, i, v); }
static inline CURLcode tw_curl_get_offset(CURL *c, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(c, i, v); }
static inline size_t tw_curl_write_pause(void) { return CURL_WRITEFUNC_PAUSE; }
/// The CA bundle libcurl was built to trust by default (NULL when none).
static inline const char *tw_curl_default_ca(void) {
    curl_version_info_data *d = curl_version_info(CURLVERSION_NOW);
    return d ? d->cainfo : NULL;
}
