-- API tokens (issue 16 §7): the way machines call the API. Per user, revocable, only the SHA-256
-- of the token is stored. A token acts as its user (same roles and data scope).
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- Session ids are stored as their SHA-256 from now on (issue 16 §8); sessions stored in clear
-- end here (their users log in again).
DELETE FROM sessions;
