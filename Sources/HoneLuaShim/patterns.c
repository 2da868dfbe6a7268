/* string.find, string.match, string.gmatch and string.gsub for sandboxed scripts: Lua 5.4
 * pattern semantics, with a matcher that counts its steps.
 *
 * Why not Lua's own: its matcher runs in C, where the instruction hook never fires, and
 * backtracking makes it polynomial in the subject (string.find(string.rep("a", 1e6),
 * ".-.-b") runs for hours), so a script could escape its CPU and time limits. This one
 * charges every matcher step to the script's instruction budget through
 * hone_lua_charge, which also checks the deadline and interrupts, and raises like the
 * hook when a limit is hit. The behaviour otherwise follows the Lua 5.4 manual (§6.4.1);
 * Tests/HoneScriptTests compares it with the real functions on a corpus. */
#include "HoneLuaShim.h"
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>
#include <ctype.h>
#include <string.h>

#define MAX_CAPTURES 32
#define MAX_DEPTH 200          /* recursion depth of the matcher, as Lua's MAXCCALLS */
#define CAP_UNFINISHED (-1)
#define CAP_POSITION (-2)
#define ESCAPE '%'
#define SPECIALS "^$*+?.([%-"
#define CHARGE_EVERY 4096      /* steps between charges: one clock read per 4k steps */

typedef struct {
    const char *src_init, *src_end, *p_end;
    lua_State *L;
    int depth, level;
    long steps;                /* uncharged steps */
    struct { const char *init; ptrdiff_t len; } capture[MAX_CAPTURES];
} matcher;

static void step(matcher *m) {
    if (++m->steps >= CHARGE_EVERY) {
        hone_lua_charge(m->L, m->steps);
        m->steps = 0;
    }
}

static const char *match(matcher *m, const char *s, const char *p);

static int check_capture(matcher *m, int l) {
    l -= '1';
    if (l < 0 || l >= m->level || m->capture[l].len == CAP_UNFINISHED)
        return luaL_error(m->L, "invalid capture index %%%d", l + 1);
    return l;
}

static int open_capture_index(matcher *m) {
    for (int level = m->level - 1; level >= 0; level--)
        if (m->capture[level].len == CAP_UNFINISHED) return level;
    return luaL_error(m->L, "invalid pattern capture");
}

/* The end of the single-character class starting at p. */
static const char *class_end(matcher *m, const char *p) {
    switch (*p++) {
    case ESCAPE:
        if (p == m->p_end) luaL_error(m->L, "malformed pattern (ends with '%%')");
        return p + 1;
    case '[':
        if (*p == '^') p++;
        do { /* the first character of a set is literal, even ']' */
            if (p == m->p_end) luaL_error(m->L, "malformed pattern (missing ']')");
            if (*(p++) == ESCAPE && p < m->p_end) p++;
        } while (*p != ']');
        return p + 1;
    default:
        return p;
    }
}

static int class_matches(int c, int cl) {
    int res;
    switch (tolower(cl)) {
    case 'a': res = isalpha(c); break;
    case 'c': res = iscntrl(c); break;
    case 'd': res = isdigit(c); break;
    case 'g': res = isgraph(c); break;
    case 'l': res = islower(c); break;
    case 'p': res = ispunct(c); break;
    case 's': res = isspace(c); break;
    case 'u': res = isupper(c); break;
    case 'w': res = isalnum(c); break;
    case 'x': res = isxdigit(c); break;
    case 'z': res = (c == 0); break; /* deprecated in the manual, still in Lua 5.4 */
    default: return cl == c;
    }
    if (isupper(cl)) res = !res;
    return res;
}

/* p points at '[', ec at the closing ']'. */
static int set_matches(int c, const char *p, const char *ec) {
    int negate = 0;
    if (*(p + 1) == '^') { negate = 1; p++; }
    while (++p < ec) {
        if (*p == ESCAPE) {
            p++;
            if (class_matches(c, (unsigned char)*p)) return !negate;
        } else if (*(p + 1) == '-' && p + 2 < ec) {
            if ((unsigned char)*p <= c && c <= (unsigned char)*(p + 2)) return !negate;
            p += 2;
        } else if ((unsigned char)*p == c) {
            return !negate;
        }
    }
    return negate;
}

static int single_matches(matcher *m, const char *s, const char *p, const char *ep) {
    if (s >= m->src_end) return 0;
    int c = (unsigned char)*s;
    switch (*p) {
    case '.': return 1;
    case ESCAPE: return class_matches(c, (unsigned char)*(p + 1));
    case '[': return set_matches(c, p, ep - 1);
    default: return (unsigned char)*p == c;
    }
}

static const char *match_balance(matcher *m, const char *s, const char *p) {
    if (p >= m->p_end - 1) luaL_error(m->L, "malformed pattern (missing arguments to '%%b')");
    if (*s != *p) return NULL;
    int open = *p, close = *(p + 1), depth = 1;
    while (++s < m->src_end) {
        step(m);
        if (*s == close) {
            if (--depth == 0) return s + 1;
        } else if (*s == open) {
            depth++;
        }
    }
    return NULL;
}

/* Greedy: the longest run first, then backing off. */
static const char *max_expand(matcher *m, const char *s, const char *p, const char *ep) {
    ptrdiff_t i = 0;
    while (single_matches(m, s + i, p, ep)) { step(m); i++; }
    while (i >= 0) {
        const char *res = match(m, s + i, ep + 1);
        if (res) return res;
        i--;
    }
    return NULL;
}

/* Lazy: the shortest run first, then growing. */
static const char *min_expand(matcher *m, const char *s, const char *p, const char *ep) {
    for (;;) {
        const char *res = match(m, s, ep + 1);
        if (res != NULL) return res;
        if (!single_matches(m, s, p, ep)) return NULL;
        s++;
    }
}

static const char *start_capture(matcher *m, const char *s, const char *p, int what) {
    if (m->level >= MAX_CAPTURES) luaL_error(m->L, "too many captures");
    m->capture[m->level].init = s;
    m->capture[m->level].len = what;
    m->level++;
    const char *res = match(m, s, p);
    if (res == NULL) m->level--; /* undo the capture */
    return res;
}

static const char *end_capture(matcher *m, const char *s, const char *p) {
    int l = open_capture_index(m);
    m->capture[l].len = s - m->capture[l].init;
    const char *res = match(m, s, p);
    if (res == NULL) m->capture[l].len = CAP_UNFINISHED;
    return res;
}

static const char *match_capture(matcher *m, const char *s, int l) {
    l = check_capture(m, l);
    size_t len = (size_t)m->capture[l].len;
    if ((size_t)(m->src_end - s) >= len && memcmp(m->capture[l].init, s, len) == 0) return s + len;
    return NULL;
}

/* The end of the match of pattern p at subject position s, or NULL. Tail calls of the
 * original are a loop here (`goto again`), so only real branching recurses. */
static const char *match(matcher *m, const char *s, const char *p) {
    if (m->depth-- == 0) luaL_error(m->L, "pattern too complex");
again:
    step(m);
    if (p != m->p_end) {
        switch (*p) {
        case '(':
            if (*(p + 1) == ')') s = start_capture(m, s, p + 2, CAP_POSITION);
            else s = start_capture(m, s, p + 1, CAP_UNFINISHED);
            break;
        case ')':
            s = end_capture(m, s, p + 1);
            break;
        case '$':
            if (p + 1 != m->p_end) goto single; /* '$' is special only at the end */
            s = (s == m->src_end) ? s : NULL;
            break;
        case ESCAPE:
            switch (*(p + 1)) {
            case 'b':
                s = match_balance(m, s, p + 2);
                if (s != NULL) { p += 4; goto again; }
                break;
            case 'f': {
                p += 2;
                if (*p != '[') luaL_error(m->L, "missing '[' after '%%f' in pattern");
                const char *ep = class_end(m, p);
                int previous = (s == m->src_init) ? '\0' : (unsigned char)*(s - 1);
                int current = (s < m->src_end) ? (unsigned char)*s : '\0';
                if (!set_matches(previous, p, ep - 1) && set_matches(current, p, ep - 1)) { p = ep; goto again; }
                s = NULL;
                break;
            }
            case '0': case '1': case '2': case '3': case '4':
            case '5': case '6': case '7': case '8': case '9':
                s = match_capture(m, s, (unsigned char)*(p + 1));
                if (s != NULL) { p += 2; goto again; }
                break;
            default:
                goto single;
            }
            break;
        default:
        single: {
            const char *ep = class_end(m, p);
            if (!single_matches(m, s, p, ep)) {
                if (*ep == '*' || *ep == '?' || *ep == '-') { p = ep + 1; goto again; } /* zero repetitions */
                s = NULL;
            } else {
                switch (*ep) {
                case '?': {
                    const char *res = match(m, s + 1, ep + 1);
                    if (res != NULL) s = res;
                    else { p = ep + 1; goto again; }
                    break;
                }
                case '+': s = max_expand(m, s + 1, p, ep); break;
                case '*': s = max_expand(m, s, p, ep); break;
                case '-': s = min_expand(m, s, p, ep); break;
                default: s++; p = ep; goto again;
                }
            }
            break;
        }
        }
    }
    m->depth++;
    return s;
}

static void prepare(matcher *m, lua_State *L, const char *s, size_t ls, const char *p, size_t lp) {
    m->L = L;
    m->src_init = s;
    m->src_end = s + ls;
    m->p_end = p + lp;
    m->steps = 0;
}

static void reset(matcher *m) {
    m->level = 0;
    m->depth = MAX_DEPTH;
}

static void flush_steps(matcher *m) {
    if (m->steps > 0) hone_lua_charge(m->L, m->steps);
    m->steps = 0;
}

/* Pushes capture i (the whole match when there are none and i == 0). */
static size_t capture_to_push(matcher *m, int i, const char *s, const char *e, const char **cap) {
    if (i >= m->level) {
        if (i != 0) luaL_error(m->L, "invalid capture index %%%d", i + 1);
        *cap = s;
        return (size_t)(e - s);
    }
    ptrdiff_t len = m->capture[i].len;
    *cap = m->capture[i].init;
    if (len == CAP_UNFINISHED) luaL_error(m->L, "unfinished capture");
    if (len == CAP_POSITION) lua_pushinteger(m->L, (m->capture[i].init - m->src_init) + 1);
    return (size_t)len;
}

static void push_one(matcher *m, int i, const char *s, const char *e) {
    const char *cap;
    size_t len = capture_to_push(m, i, s, e, &cap);
    if (i >= m->level || m->capture[i].len != CAP_POSITION) lua_pushlstring(m->L, cap, len);
}

static int push_captures(matcher *m, const char *s, const char *e) {
    int n = (m->level == 0 && s) ? 1 : m->level;
    luaL_checkstack(m->L, n, "too many captures");
    for (int i = 0; i < n; i++) push_one(m, i, s, e);
    return n;
}

/* Lua's rule for init: negative counts from the end; 0 means 1. */
static size_t start_index(lua_Integer pos, size_t len) {
    if (pos > 0) return (size_t)pos;
    if (pos == 0) return 1;
    if (pos < -(lua_Integer)len) return 1;
    return len + (size_t)pos + 1;
}

static int no_specials(const char *p, size_t l) {
    size_t upto = 0;
    do {
        if (strpbrk(p + upto, SPECIALS)) return 0;
        upto += strlen(p + upto) + 1; /* patterns may hold zeros */
    } while (upto <= l);
    return 1;
}

static const char *find_plain(lua_State *L, const char *s, size_t ls, const char *p, size_t lp) {
    if (lp == 0) return s;
    if (lp > ls) return NULL;
    const char *end = s + ls - lp;
    long steps = 0;
    for (const char *at = s; at <= end; at++) {
        if (++steps == CHARGE_EVERY) { hone_lua_charge(L, steps); steps = 0; }
        if (*at == *p && memcmp(at, p, lp) == 0) { hone_lua_charge(L, steps); return at; }
    }
    hone_lua_charge(L, steps);
    return NULL;
}

static int find_or_match(lua_State *L, int find) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = start_index(luaL_optinteger(L, 3, 1), ls) - 1;
    if (init > ls) { luaL_pushfail(L); return 1; }
    if (find && (lua_toboolean(L, 4) || no_specials(p, lp))) {
        const char *at = find_plain(L, s + init, ls - init, p, lp);
        if (at) {
            lua_pushinteger(L, (at - s) + 1);
            lua_pushinteger(L, (lua_Integer)((at - s) + lp));
            return 2;
        }
    } else {
        matcher m;
        const char *s1 = s + init;
        int anchor = (*p == '^');
        if (anchor) { p++; lp--; }
        prepare(&m, L, s, ls, p, lp);
        do {
            reset(&m);
            const char *e = match(&m, s1, p);
            if (e != NULL) {
                flush_steps(&m);
                if (find) {
                    lua_pushinteger(L, (s1 - s) + 1);
                    lua_pushinteger(L, e - s);
                    return push_captures(&m, NULL, 0) + 2;
                }
                return push_captures(&m, s1, e);
            }
        } while (s1++ < m.src_end && !anchor);
        flush_steps(&m);
    }
    luaL_pushfail(L);
    return 1;
}

int hone_lua_str_find(lua_State *L) { return find_or_match(L, 1); }
int hone_lua_str_match(lua_State *L) { return find_or_match(L, 0); }

typedef struct {
    const char *src, *pattern, *last_match;
    matcher m;
} gmatch_state;

static int gmatch_next(lua_State *L) {
    gmatch_state *g = (gmatch_state *)lua_touserdata(L, lua_upvalueindex(3));
    g->m.L = L;
    for (const char *src = g->src; src <= g->m.src_end; src++) {
        reset(&g->m);
        const char *e = match(&g->m, src, g->pattern);
        if (e != NULL && e != g->last_match) {
            g->src = g->last_match = e;
            flush_steps(&g->m);
            return push_captures(&g->m, src, e);
        }
    }
    flush_steps(&g->m);
    return 0;
}

int hone_lua_str_gmatch(lua_State *L) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = start_index(luaL_optinteger(L, 3, 1), ls) - 1;
    lua_settop(L, 2); /* keep subject and pattern alive as upvalues */
    gmatch_state *g = (gmatch_state *)lua_newuserdatauv(L, sizeof(gmatch_state), 0);
    if (init > ls) init = ls + 1; /* start after the end: no matches */
    prepare(&g->m, L, s, ls, p, lp);
    g->src = s + init;
    g->pattern = p;
    g->last_match = NULL;
    lua_pushcclosure(L, gmatch_next, 3);
    return 1;
}

static void add_string_replacement(matcher *m, luaL_Buffer *b, const char *s, const char *e) {
    size_t l;
    lua_State *L = m->L;
    const char *news = lua_tolstring(L, 3, &l);
    const char *p;
    while ((p = (const char *)memchr(news, ESCAPE, l)) != NULL) {
        luaL_addlstring(b, news, (size_t)(p - news));
        p++;
        if (*p == ESCAPE) {
            luaL_addchar(b, *p);
        } else if (*p == '0') {
            luaL_addlstring(b, s, (size_t)(e - s));
        } else if (isdigit((unsigned char)*p)) {
            const char *cap;
            size_t len = capture_to_push(m, *p - '1', s, e, &cap);
            if (*p - '1' < m->level && m->capture[*p - '1'].len == CAP_POSITION) luaL_addvalue(b);
            else luaL_addlstring(b, cap, len);
        } else {
            luaL_error(L, "invalid use of '%c' in replacement string", ESCAPE);
        }
        l -= (size_t)(p + 1 - news);
        news = p + 1;
    }
    luaL_addlstring(b, news, l);
}

/* Adds the replacement of match [s, e); returns whether it changed anything. */
static int add_replacement(matcher *m, luaL_Buffer *b, const char *s, const char *e, int kind) {
    lua_State *L = m->L;
    switch (kind) {
    case LUA_TFUNCTION: {
        lua_pushvalue(L, 3);
        int n = push_captures(m, s, e);
        lua_call(L, n, 1);
        break;
    }
    case LUA_TTABLE:
        push_one(m, 0, s, e);
        lua_gettable(L, 3);
        break;
    default:
        add_string_replacement(m, b, s, e);
        return 1;
    }
    if (!lua_toboolean(L, -1)) { /* nil or false: keep the original text */
        lua_pop(L, 1);
        luaL_addlstring(b, s, (size_t)(e - s));
        return 0;
    }
    if (!lua_isstring(L, -1)) return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    luaL_addvalue(b);
    return 1;
}

int hone_lua_str_gsub(lua_State *L) {
    size_t srcl, lp;
    const char *src = luaL_checklstring(L, 1, &srcl);
    const char *p = luaL_checklstring(L, 2, &lp);
    const char *last_match = NULL;
    int kind = lua_type(L, 3);
    lua_Integer max_n = luaL_optinteger(L, 4, (lua_Integer)srcl + 1);
    int anchor = (*p == '^');
    lua_Integer n = 0;
    int changed = 0;
    luaL_argexpected(L, kind == LUA_TNUMBER || kind == LUA_TSTRING || kind == LUA_TFUNCTION || kind == LUA_TTABLE, 3,
                     "string/function/table");
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    if (anchor) { p++; lp--; }
    matcher m;
    prepare(&m, L, src, srcl, p, lp);
    while (n < max_n) {
        reset(&m);
        const char *e = match(&m, src, p);
        if (e != NULL && e != last_match) {
            n++;
            changed = add_replacement(&m, &b, src, e, kind) | changed;
            src = last_match = e;
        } else if (src < m.src_end) {
            luaL_addchar(&b, *src++);
        } else {
            break;
        }
        if (anchor) break;
    }
    flush_steps(&m);
    if (!changed) {
        lua_pushvalue(L, 1); /* nothing replaced: the subject itself */
    } else {
        luaL_addlstring(&b, src, (size_t)(m.src_end - src));
        luaL_pushresult(&b);
    }
    lua_pushinteger(L, n);
    return 2;
}

int hone_lua_install_counted_patterns(lua_State *L) {
    static const luaL_Reg functions[] = {
        {"find", hone_lua_str_find},
        {"match", hone_lua_str_match},
        {"gmatch", hone_lua_str_gmatch},
        {"gsub", hone_lua_str_gsub},
        {NULL, NULL},
    };
    lua_getglobal(L, LUA_STRLIBNAME);
    luaL_setfuncs(L, functions, 0);
    lua_pop(L, 1);
    return 0;
}
