/*
 * Touchline protocol plugin ABI (C). Include only this header (or the C++ SDK touchline_plugin.hpp)
 * to write a plugin; nothing else from Touchline is needed.
 *
 * A plugin is a shared object exporting one symbol, TOUCHLINE_PLUGIN_ENTRY_SYMBOL, a function that
 * returns a pointer to a static touchline_plugin_v1 descriptor. The host checks:
 *   - abi_major == TOUCHLINE_PLUGIN_ABI_MAJOR of the host,
 *   - abi_minor <= the host's TOUCHLINE_PLUGIN_ABI_MINOR,
 *   - struct_size >= TOUCHLINE_PLUGIN_V1_MIN_SIZE, and name is a non-empty string.
 * Fields are only ever appended to touchline_plugin_v1 (a new field bumps the minor); a host reads a
 * field only if struct_size covers it. A minor also grows the wire contract (plugin.proto): fields
 * and enum values are only ever added there, and a host refuses a plugin of a newer minor because
 * it could not check what that plugin answers.
 *
 * Minors:
 *   1.0  the descriptor below; AssignRequest / AssignResponse as first published.
 *   1.1  Complaint.nerve_involvement (the server's classification, with reasons) in the request;
 *        Prescription.category (touchline.plugin.v1.ExerciseCategory) in the answer;
 *        FLAG_KIND_WINDOW_CLOSING named among the active flags (sent as a bare 5 before). The
 *        server withholds a static hamstring stretch prescribed for a nerve-involved complaint
 *        and reports it (AssignResult.withheld); an uncategorised (1.0) prescription is judged by
 *        its exercise name. The descriptor is unchanged.
 *
 * assign() receives a serialized touchline.plugin.v1.AssignRequest and writes a serialized
 * touchline.plugin.v1.AssignResponse through write() (in one or more chunks; chunks are
 * concatenated). It returns TOUCHLINE_OK or an error code, with a NUL-terminated message of at most
 * error_cap bytes (including the NUL) in `error`. It must not let a C++ exception escape.
 * The plugin may be called from any thread, but never concurrently within one process. Out of
 * process, the server may run several host processes of one plugin at once (a squad's players are
 * planned several at a time), each loading its own copy: what a plugin keeps in memory between
 * calls is per process, and no copy sees every request.
 * Plugins are never unloaded while the process runs.
 *
 * Who owns what (every pointer that crosses this boundary):
 *   - The descriptor returned by touchline_plugin_entry() and every string it points to (name,
 *     version, handles) belong to the plugin and must stay valid, unchanged, for the life of the
 *     process (static storage). The host never frees or writes them.
 *   - ctx belongs to the plugin; the host only passes it back to assign(), never dereferences it.
 *   - request (request_len bytes) belongs to the host and is valid only during that assign() call:
 *     copy whatever must outlive it. It is not NUL-terminated.
 *   - write and write_ctx belong to the host and are valid only during that assign() call; write()
 *     copies `data` before it returns, so the plugin may reuse or free its buffer afterwards.
 *   - error (error_cap bytes) belongs to the host and is valid only during that assign() call;
 *     the plugin may write into it, at most error_cap bytes with the terminating NUL.
 *   - Nothing allocated by one side is ever freed by the other.
 */
#ifndef TOUCHLINE_PLUGIN_H_
#define TOUCHLINE_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TOUCHLINE_PLUGIN_ABI_MAJOR 1
#define TOUCHLINE_PLUGIN_ABI_MINOR 1
#define TOUCHLINE_PLUGIN_ENTRY_SYMBOL "touchline_plugin_entry"

/* Return codes of assign(). */
#define TOUCHLINE_OK 0
#define TOUCHLINE_ERR_BAD_REQUEST 1 /* the request could not be read */
#define TOUCHLINE_ERR_INTERNAL 2    /* the plugin failed */
#define TOUCHLINE_ERR_WRITE 3       /* write() refused the output */

/* Host-supplied output callback: appends `len` bytes, copied before it returns (`data` stays the
 * plugin's). Returns 0 on success, non-zero when the host refuses (e.g. output too large); the
 * plugin should then return TOUCHLINE_ERR_WRITE. Valid only during the assign() call it was
 * passed to. */
typedef int (*touchline_write_fn)(void* write_ctx, const uint8_t* data, size_t len);

typedef int (*touchline_assign_fn)(void* ctx, const uint8_t* request, size_t request_len,
                                   touchline_write_fn write, void* write_ctx, char* error,
                                   size_t error_cap);

typedef struct touchline_plugin_v1 {
  /* ABI 1.0 */
  uint32_t struct_size;   /* sizeof(touchline_plugin_v1) as the plugin was compiled */
  uint16_t abi_major;     /* TOUCHLINE_PLUGIN_ABI_MAJOR */
  uint16_t abi_minor;     /* TOUCHLINE_PLUGIN_ABI_MINOR */
  const char* name;       /* plugin-owned, static: unique, non-empty, e.g. "piriformis-4-sign" */
  const char* version;    /* plugin-owned, static, may be NULL: e.g. "1.0.0" */
  const char* handles;    /* plugin-owned, static, may be NULL: what it handles, for a physio */
  void* ctx;              /* plugin-owned, opaque to the host: passed back to assign() */
  touchline_assign_fn assign;
  /* Later minors append fields here. */
} touchline_plugin_v1;

/* Size of the ABI 1.0 descriptor: the smallest struct_size a host accepts. */
#define TOUCHLINE_PLUGIN_V1_MIN_SIZE \
  (offsetof(touchline_plugin_v1, assign) + sizeof(touchline_assign_fn))

typedef const touchline_plugin_v1* (*touchline_plugin_entry_fn)(void);

/* The one exported symbol. Define it in exactly one translation unit of the plugin. The host calls
 * it once after loading; the descriptor it returns is plugin-owned and must live as long as the
 * process (see "Who owns what" above). */
#if defined(__GNUC__)
__attribute__((visibility("default")))
#endif
const touchline_plugin_v1* touchline_plugin_entry(void);

#ifdef __cplusplus
}
#endif

#endif /* TOUCHLINE_PLUGIN_H_ */
