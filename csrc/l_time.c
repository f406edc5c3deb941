/* Lua bindings of the clocks: timestamp, sdk_date, now, monotonic, sleep.
 * Plain Lua has no sub-second wall clock, no monotonic clock and no sleep;
 * the signatures' two UTC formats come from the same clock. */
#include <math.h>
#include <time.h>

#include "l_state.h"

static double wall_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int push_time(lua_State *L, const char *fmt) {
    double t = luaL_optnumber(L, 1, wall_now());
    time_t tt;
    struct tm tm;
    char out[64];
    if (!(t >= 0 && t < 253402300800.0)) /* NaN-safe; year 9999 */
        return luaL_error(L, "time out of range");
    tt = (time_t)floor(t);
    if (gmtime_r(&tt, &tm) == NULL) return luaL_error(L, "time out of range");
    lua_pushlstring(L, out, strftime(out, sizeof out, fmt, &tm));
    return 1;
}
/* timestamp([t]) -> "2016-02-23T12:46:24Z" (Alibaba) */
static int l_timestamp(lua_State *L) { return push_time(L, "%Y-%m-%dT%H:%M:%SZ"); }
/* sdk_date([t]) -> "20200608T023900Z" (Huawei X-Sdk-Date) */
static int l_sdk_date(lua_State *L) { return push_time(L, "%Y%m%dT%H%M%SZ"); }

static int l_now(lua_State *L) { lua_pushnumber(L, wall_now()); return 1; }

/* sleep(seconds): blocks the thread; plain Lua only (ngx uses ngx.sleep) */
static int l_sleep(lua_State *L) {
    double s = luaL_checknumber(L, 1);
    struct timespec ts;
    if (!(s >= 0 && s < 1e7)) return luaL_error(L, "sleep: seconds out of range");
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0) {} /* resume after a signal */
    return 0;
}

static int l_monotonic(lua_State *L) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, (double)ts.tv_sec + ts.tv_nsec / 1e9);
    return 1;
}

static const luaL_Reg functions[] = {
    {"timestamp", l_timestamp},
    {"sdk_date", l_sdk_date},
    {"now", l_now},
    {"monotonic", l_monotonic},
    {"sleep", l_sleep},
    {NULL, NULL},
};

void ca_open_time(lua_State *L) { ca_register(L, functions); }
