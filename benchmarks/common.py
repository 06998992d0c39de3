"""What the reference and the peer share: the project's token claims and a GCRA rate-limit script.

Kept free of any web framework, so that each server imports only its own.
"""

from __future__ import annotations

ISSUER = "flower-vendor"
AUDIENCE = "flower-vendor-api"
REQUIRED = ["iss", "aud", "sub", "vid", "role", "sid", "jti", "iat", "nbf", "exp", "typ"]
LIMIT, WINDOW_MS = 1_000_000, 60_000  # never refuses here; the count is still kept in Redis

# GCRA in one script: KEYS[1] the client's TAT; ARGV limit, window (ms). Returns 1 when admitted.
GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[2]) / tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local new_tat = tat + interval
if new_tat - now > tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], string.format('%.17g', new_tat), 'PX', math.ceil(new_tat - now))
return 1
"""
