/* Alibaba RPC parameters: the caller's table flattened into name=value
 * pairs the way Alibaba's RPC APIs encode them: arrays are RepeatLists
 * (Name.1, Name.2 ... and Name.1.Key for a list of maps), maps become
 * Name.Key, integers and booleans their decimal and true/false text.
 *
 * Why in C: it is the hot path of every RPC call. One pass over the
 * caller's table straight into the pairs the signer sorts, with no Lua
 * table or string made per parameter. Anything unusual (other numbers,
 * tables with a metatable such as cloudapi.json, mixed or holey tables,
 * deep nesting, reserved names, a top-level table with a metatable, and
 * dotted names beside nested tables, which may flatten to the same name)
 * is left to the general path in Lua (cloudapi.aliyun.params), which
 * knows every case and names the problem. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "l_rpc_params.h"

/* Strings (without NUL), integers and booleans, inside arrays and maps up
 * to FLAT_DEPTH levels. Names and numbers are written to an arena that may
 * move while it grows, so pairs record arena offsets and get pointers at
 * the end. */
#define FLAT_DEPTH 6

typedef struct {
    ca_state *s;
    lua_State *L;
    ca_buf *arena;
    size_t n;
    size_t *koff, *voff; /* 0: a Lua string; else arena offset + 1 */
    size_t cap;
    int args, reserved;  /* stack indices of the two tables */
    int dotted, nested;  /* a table's key with '.' seen; a table value seen */
} flat_walk;

static int flat_room(flat_walk *w) {
    if (w->n < w->cap) return 0;
    {
        size_t cap = w->cap ? 2 * w->cap : 64;
        size_t *k = (size_t *)realloc(w->koff, cap * sizeof *k);
        if (k == NULL) return -1;
        w->koff = k;
        k = (size_t *)realloc(w->voff, cap * sizeof *k);
        if (k == NULL) return -1;
        w->voff = k;
        w->cap = cap;
    }
    reserve_pairs(w->L, w->s, w->cap);
    return 0;
}

/* Append name "." suffix to the arena; returns its offset + 1, or 0. */
static size_t arena_name(flat_walk *w, size_t name_off, const char *name, size_t nl,
                         const char *suffix, size_t sl) {
    size_t off = w->arena->len;
    if (!ca_buf_reserve(w->arena, nl + 1 + sl + 1)) return 0;
    /* name may live in the arena itself: copy by offset after reserving */
    if (name_off) name = w->arena->p + name_off - 1;
    memcpy(w->arena->p + off, name, nl);
    w->arena->p[off + nl] = '.';
    memcpy(w->arena->p + off + nl + 1, suffix, sl);
    w->arena->len += nl + 1 + sl;
    w->arena->p[w->arena->len++] = '\0';
    return off + 1;
}

static int flat_value(flat_walk *w, size_t name_off, const char *name, size_t nl, int depth);

static int flat_table(flat_walk *w, size_t name_off, const char *name, size_t nl, int depth) {
    lua_State *L = w->L;
    int idx = lua_gettop(L);
    size_t count = 0, maxi = 0;
    int ints = 0, strs = 0;
    if (depth >= FLAT_DEPTH) return -1;
    if (lua_getmetatable(L, idx)) { lua_pop(L, 1); return -1; }
    w->nested = 1;
    if (name_off == 0 && memchr(name, '.', nl)) w->dotted = 1; /* a top-level name */
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        char digits[24];
        const char *suffix;
        size_t sl, child;
        if (lua_type(L, -2) == LUA_TNUMBER) {
            lua_Number d = lua_tonumber(L, -2);
            if (d < 1 || d != floor(d) || d > 1e9) { lua_pop(L, 2); return -1; }
            if ((size_t)d > maxi) maxi = (size_t)d;
            sl = (size_t)snprintf(digits, sizeof digits, "%zu", (size_t)d);
            suffix = digits;
            ints = 1;
        } else if (lua_type(L, -2) == LUA_TSTRING) {
            suffix = lua_tolstring(L, -2, &sl);
            if (sl == 0) { lua_pop(L, 2); return -1; }
            if (memchr(suffix, '.', sl)) w->dotted = 1;
            strs = 1;
        } else {
            lua_pop(L, 2);
            return -1;
        }
        count++;
        if (ints && strs) { lua_pop(L, 2); return -1; }
        child = arena_name(w, name_off, name, nl, suffix, sl);
        if (child == 0) { lua_pop(L, 2); return -1; }
        if (flat_value(w, child, NULL, nl + 1 + sl, depth + 1) != 0) { lua_pop(L, 2); return -1; }
        lua_pop(L, 1);
    }
    if (ints && maxi != count) return -1; /* a hole */
    return 0;
}

/* The value on top of the stack, under a name (a Lua string, or the arena
 * at name_off - 1 when name_off is not 0). */
static int flat_value(flat_walk *w, size_t name_off, const char *name, size_t nl, int depth) {
    lua_State *L = w->L;
    int t = lua_type(L, -1);
    ca_pair *p;
    if (t == LUA_TTABLE) return flat_table(w, name_off, name, nl, depth);
    if (flat_room(w) != 0) return -1;
    p = &w->s->pairs[w->n];
    w->koff[w->n] = name_off;
    p->k = name;
    p->kl = nl;
    w->voff[w->n] = 0;
    if (t == LUA_TSTRING) {
        p->v = lua_tolstring(L, -1, &p->vl);
        if (memchr(p->v, '\0', p->vl)) return -1;
    } else if (t == LUA_TBOOLEAN) {
        p->v = lua_toboolean(L, -1) ? "true" : "false";
        p->vl = strlen(p->v);
    } else if (t == LUA_TNUMBER) {
        char num[32];
        int wr;
#if LUA_VERSION_NUM >= 503
        if (!lua_isinteger(L, -1)) return -1;
        wr = snprintf(num, sizeof num, "%lld", (long long)lua_tointeger(L, -1));
#else
        double d = lua_tonumber(L, -1);
        if (!(d == floor(d) && d > -9007199254740992.0 && d < 9007199254740992.0)) return -1;
        wr = snprintf(num, sizeof num, "%.0f", d);
#endif
        w->voff[w->n] = w->arena->len + 1;
        ca_buf_add(w->arena, num, (size_t)wr + 1);
        if (w->arena->failed) return -1;
        p->v = NULL;
        p->vl = (size_t)wr;
    } else {
        return -1;
    }
    w->n++;
    return 0;
}

/* Walk the args table: 0, or -1 for the general path. */
static int flat_args(flat_walk *w) {
    lua_State *L = w->L;
    size_t i;
    if (lua_getmetatable(L, w->args)) { lua_pop(L, 1); return -1; } /* a proxy: read through __pairs */
    lua_pushnil(L);
    while (lua_next(L, w->args) != 0) {
        size_t kl;
        const char *k;
        if (lua_type(L, -2) != LUA_TSTRING) { lua_pop(L, 2); return -1; }
        k = lua_tolstring(L, -2, &kl);
        if (kl == 0) { lua_pop(L, 2); return -1; }
        lua_pushvalue(L, -2);
        lua_rawget(L, w->reserved); /* a reserved name: the general path says so */
        if (!lua_isnil(L, -1)) { lua_pop(L, 3); return -1; }
        lua_pop(L, 1);
        if (flat_value(w, 0, k, kl, 0) != 0) { lua_pop(L, 2); return -1; }
        lua_pop(L, 1);
    }
    /* A dotted top-level name may collide with a nested table's names (the
     * names inside tables were looked at on the way): the general path
     * tells. Flat parameters, the usual call, pay nothing for this. */
    for (i = 0; w->nested && !w->dotted && i < w->n; i++)
        if (w->koff[i] == 0 && memchr(w->s->pairs[i].k, '.', w->s->pairs[i].kl)) w->dotted = 1;
    if (w->dotted && w->nested) return -1;
    /* The arena stopped moving: point into it. */
    for (i = 0; i < w->n; i++) {
        if (w->koff[i]) w->s->pairs[i].k = w->arena->p + w->koff[i] - 1;
        if (w->voff[i]) w->s->pairs[i].v = w->arena->p + w->voff[i] - 1;
    }
    return 0;
}

int rpc_params_flatten(lua_State *L, ca_state *s, int args, int reserved,
                       ca_buf *arena, size_t *n) {
    flat_walk w;
    int rc;
    luaL_checkstack(L, 2 * FLAT_DEPTH + 8, "rpc parameters"); /* lua_next's key and value per level */
    memset(&w, 0, sizeof w);
    w.s = s;
    w.L = L;
    w.arena = arena;
    w.koff = s->koff;
    w.voff = s->voff;
    w.cap = s->off_cap;
    w.args = args;
    w.reserved = reserved;
    rc = flat_args(&w);
    s->koff = w.koff; /* kept for the next call */
    s->voff = w.voff;
    s->off_cap = w.cap;
    *n = w.n;
    return rc;
}
