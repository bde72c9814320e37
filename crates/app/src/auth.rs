//! Passwords (Argon2id), login throttling and server-side sessions.

use std::collections::HashMap;
use std::sync::Mutex;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use fazhi_store::{SessionRow, org, sessions, tokens};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{Actor, App, AppError};

/// Sessions last 12 hours (one working day plus overtime).
pub const SESSION_MS: i64 = 12 * 3600 * 1000;
/// After this many failed logins of one account from one address within the window, that
/// address backs off (see [`Throttle`]).
pub const MAX_FAILURES: usize = 5;

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let h: PasswordHash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))?;
    Ok(h.to_string())
}

pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(h) => Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok(),
        Err(_) => false,
    }
}

/// Checks a new password against the minimum policy; the message names the reason.
pub fn check_password_policy(password: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if n < 10 {
        return Err(AppError::invalid(
            "password",
            "password.too_short",
            "密码：至少10个字符",
        ));
    }
    if n > 128 {
        return Err(AppError::invalid(
            "password",
            "password.too_long",
            "密码：最多128个字符",
        ));
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|x| **x).count() < 2 {
        return Err(AppError::invalid(
            "password",
            "password.too_simple",
            "密码：至少包含字母、数字、符号中的两类",
        ));
    }
    Ok(())
}

/// Failed logins within this window count towards the limits.
pub const FAILURE_WINDOW_MS: i64 = 15 * 60 * 1000;
/// After this many failures from one address in the window, that address is refused for any
/// login until its failures age out of the window.
pub const MAX_CLIENT_FAILURES: usize = MAX_FAILURES * 4;
/// Longest wait the backoff imposes on one account from one address.
pub const MAX_BACKOFF_MS: i64 = FAILURE_WINDOW_MS;
/// The failure memory is swept of expired entries when it holds more keys than this.
const SWEEP_ABOVE: usize = 10_000;
/// Failures remembered per key (enough for the limits above).
const KEEP_PER_KEY: usize = 64;

/// Failed-login memory per (account, address) pair and per address (in process). An account is
/// never locked for everyone: after [`MAX_FAILURES`] failures of one account from one address,
/// that address waits before its next try for this account, the wait doubling with each further
/// failure (one minute, two, four, … at most [`MAX_BACKOFF_MS`]). Entries expire with the window
/// and the map is swept when it grows, so it cannot grow without bound.
#[derive(Debug)]
pub struct Throttle {
    failures: Mutex<HashMap<String, Vec<i64>>>,
    /// When the map was last swept and the size that triggers the next sweep (amortised: a
    /// sweep at most once per window, or when the map doubled since the last one).
    sweep: Mutex<(i64, usize)>,
    /// Password hashing runs on blocking threads, at most this many at once.
    hashing: tokio::sync::Semaphore,
}

impl Default for Throttle {
    fn default() -> Self {
        let n = std::thread::available_parallelism().map_or(2, |n| n.get());
        Throttle {
            failures: Mutex::new(HashMap::new()),
            sweep: Mutex::new((0, SWEEP_ABOVE)),
            hashing: tokio::sync::Semaphore::new(n.max(2)),
        }
    }
}

fn pair_key(login: &str, client: &str) -> String {
    format!("pair:{login}\u{0}{client}")
}

fn client_key(client: &str) -> String {
    format!("client:{client}")
}

impl Throttle {
    /// The recent failures of `key` (oldest first), forgetting those outside the window.
    fn recent(&self, key: &str, now: i64) -> Vec<i64> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let Some(v) = map.get_mut(key) else {
            return Vec::new();
        };
        v.retain(|t| now - *t < FAILURE_WINDOW_MS);
        let out = v.clone();
        if out.is_empty() {
            map.remove(key);
        }
        out
    }

    fn fail(&self, key: &str, now: i64) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > SWEEP_ABOVE {
            let mut sweep = self.sweep.lock().unwrap_or_else(|p| p.into_inner());
            if map.len() > sweep.1 || now - sweep.0 >= FAILURE_WINDOW_MS {
                map.retain(|_, v| {
                    v.retain(|t| now - *t < FAILURE_WINDOW_MS);
                    !v.is_empty()
                });
                *sweep = (now, (map.len() * 2).max(SWEEP_ABOVE));
            }
        }
        let v = map.entry(key.to_string()).or_default();
        v.push(now);
        if v.len() > KEEP_PER_KEY {
            v.drain(..v.len() - KEEP_PER_KEY);
        }
    }

    fn clear(&self, key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }

    /// How many keys the memory holds (for tests and metrics).
    pub fn len(&self) -> usize {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `login` may be tried from `client` now; the refusal says how long to wait.
    fn check(&self, login: &str, client: &str, now: i64) -> Result<(), AppError> {
        if self.recent(&client_key(client), now).len() >= MAX_CLIENT_FAILURES {
            return Err(AppError::LoginFailed(
                "登录失败次数过多，请15分钟后再试".into(),
            ));
        }
        let pair = self.recent(&pair_key(login, client), now);
        if pair.len() >= MAX_FAILURES {
            let extra = (pair.len() - MAX_FAILURES).min(20) as u32;
            let wait = (60_000i64 << extra).min(MAX_BACKOFF_MS);
            let last = pair.last().copied().unwrap_or(now);
            if now - last < wait {
                let minutes = ((wait - (now - last)) + 59_999) / 60_000;
                return Err(AppError::LoginFailed(format!(
                    "登录失败次数过多，请{minutes}分钟后再试"
                )));
            }
        }
        Ok(())
    }

    fn record_failure(&self, login: &str, client: &str, now: i64) {
        self.fail(&pair_key(login, client), now);
        self.fail(&client_key(client), now);
    }

    /// Verifies a password on a blocking thread (bounded), so a flood of logins cannot stall
    /// the async runtime. An unknown account (`stored` is `None`) costs the same as a known one.
    async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, AppError> {
        let _permit = self
            .hashing
            .acquire()
            .await
            .map_err(|e| AppError::Internal(format!("hashing pool closed: {e}")))?;
        let password = password.to_owned();
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| dummy_hash()).to_owned();
        let ok = tokio::task::spawn_blocking(move || verify_password(&password, &stored))
            .await
            .map_err(|e| AppError::Internal(format!("password check failed: {e}")))?;
        Ok(known && ok)
    }
}

/// A real Argon2id hash of a secret nobody knows, verified for unknown logins so that they take
/// as long as known ones.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| {
        hash_password(&random_token()).unwrap_or_else(|_| {
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$Z4Xq2oQ7y8Qm4kQwY0bq1F9oS8WJm2mJd9w1fJ6bY1c"
                .into()
        })
    })
}

/// 32 random bytes as hex (session ids, CSRF tokens, API tokens, the one-time setup token).
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// What is stored for a session id or an API token: its SHA-256 (hex).
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// The prefix of every API token (so that a leaked one is recognisable).
pub const TOKEN_PREFIX: &str = "fzt_";

/// A new API token as shown once to its owner.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NewToken {
    pub id: i64,
    pub name: String,
    pub token: String,
}

impl App {
    /// Checks a password for `login` from `client` with the throttle, the same work for unknown
    /// logins, and an audit entry for every failure. `via` names the channel (form, basic).
    async fn check_credentials(
        &self,
        login: &str,
        password: &str,
        client: &str,
        via: &str,
    ) -> Result<fazhi_store::UserRow, AppError> {
        let now = self.clock.now_ms();
        self.throttle.check(login, client, now)?;
        let user = org::user_by_login(&self.db, login).await?;
        let ok = self
            .throttle
            .verify(password, user.as_ref().map(|u| u.password_hash.as_str()))
            .await?;
        match user {
            Some(u) if ok && u.active => {
                self.throttle.clear(&pair_key(login, client));
                Ok(u)
            }
            _ => {
                self.throttle.record_failure(login, client, now);
                let mut tx = self.db.begin().await?;
                let after = serde_json::json!({ "login": login, "client": client, "via": via });
                tx.audit(fazhi_store::AuditEntry {
                    at: now,
                    actor: login,
                    action: "login_failed",
                    entity: "user",
                    entity_id: login,
                    before: None,
                    after: Some(&after),
                })
                .await?;
                tx.commit().await?;
                Err(AppError::LoginFailed("用户名或密码错误".into()))
            }
        }
    }

    /// Verifies a login and opens a session. The session id is returned to the caller (for the
    /// cookie) and stored only as its SHA-256.
    pub async fn login(
        &self,
        login: &str,
        password: &str,
        client: &str,
    ) -> Result<(SessionRow, Actor), AppError> {
        let user = self
            .check_credentials(login, password, client, "form")
            .await?;
        let now = self.clock.now_ms();
        let id = random_token();
        let session = SessionRow {
            id: secret_hash(&id),
            user_id: user.id,
            csrf: random_token(),
            created_at: now,
            expires_at: now + SESSION_MS,
        };
        sessions::insert(&self.db, &session).await?;
        let mut tx = self.db.begin().await?;
        let after = serde_json::json!({ "client": client });
        tx.audit(fazhi_store::AuditEntry {
            at: now,
            actor: &user.login,
            action: "login",
            entity: "user",
            entity_id: &user.id.to_string(),
            before: None,
            after: Some(&after),
        })
        .await?;
        tx.commit().await?;
        let actor = self.actor_for(&user).await?;
        Ok((SessionRow { id, ..session }, actor))
    }

    pub async fn actor_for(&self, user: &fazhi_store::UserRow) -> Result<Actor, AppError> {
        let unit = org::unit(&self.db, user.unit_id).await?;
        Ok(Actor::from_row(user, unit.path, unit.name))
    }

    /// The actor behind a session id (as the cookie carries it), if the session is alive and the
    /// user active. The returned row carries the id as given.
    pub async fn session_actor(&self, id: &str) -> Result<Option<(SessionRow, Actor)>, AppError> {
        let Some((s, user, unit)) =
            sessions::get_with_user(&self.db, &secret_hash(id), self.clock.now_ms()).await?
        else {
            return Ok(None);
        };
        if !user.active {
            return Ok(None);
        }
        Ok(Some((
            SessionRow { id: id.into(), ..s },
            Actor::from_row(&user, unit.path, unit.name),
        )))
    }

    /// Ends a session, given its id as the cookie carries it.
    pub async fn logout(&self, session_id: &str) -> Result<(), AppError> {
        sessions::delete(&self.db, &secret_hash(session_id)).await?;
        Ok(())
    }

    /// Authenticates an API client with HTTP Basic credentials (no session): the same throttle,
    /// timing and audit of failures as the login form.
    pub async fn basic_auth(
        &self,
        login: &str,
        password: &str,
        client: &str,
    ) -> Result<Actor, AppError> {
        let u = self
            .check_credentials(login, password, client, "basic")
            .await?;
        self.actor_for(&u).await
    }

    /// The actor of an API token (`Authorization: Bearer fzt_…`): the token's user, with that
    /// user's roles and data scope. Unknown or revoked tokens count as failures of the address.
    pub async fn token_actor(&self, token: &str, client: &str) -> Result<Actor, AppError> {
        let now = self.clock.now_ms();
        if self.throttle.recent(&client_key(client), now).len() >= MAX_CLIENT_FAILURES {
            return Err(AppError::LoginFailed(
                "登录失败次数过多，请15分钟后再试".into(),
            ));
        }
        match tokens::user_of(&self.db, &secret_hash(token.trim())).await? {
            Some((_, user, unit)) if user.active => {
                Ok(Actor::from_row(&user, unit.path, unit.name))
            }
            _ => {
                self.throttle.fail(&client_key(client), now);
                Err(AppError::LoginFailed("API令牌无效或已撤销".into()))
            }
        }
    }

    /// Creates an API token for the actor; the token is shown once and stored as its hash.
    pub async fn create_token(&self, actor: &Actor, name: &str) -> Result<NewToken, AppError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 50 {
            return Err(AppError::invalid(
                "name",
                "length",
                "令牌名称：必填，最多50个字符",
            ));
        }
        if actor.id.0 == 0 {
            return Err(AppError::Forbidden("系统账户不能创建API令牌".into()));
        }
        let token = format!("{TOKEN_PREFIX}{}", random_token());
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        let id = tokens::insert(&mut tx, actor.id, name, &secret_hash(&token), now).await?;
        let after = serde_json::json!({ "token_id": id, "name": name });
        tx.audit(fazhi_store::AuditEntry {
            at: now,
            actor: &actor.login,
            action: "create_token",
            entity: "user",
            entity_id: &actor.id.to_string(),
            before: None,
            after: Some(&after),
        })
        .await?;
        tx.commit().await?;
        Ok(NewToken {
            id,
            name: name.into(),
            token,
        })
    }

    /// Revokes one of the actor's own tokens.
    pub async fn revoke_token(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        if !tokens::revoke(&mut tx, actor.id, id, now).await? {
            return Err(AppError::NotFound("API令牌不存在或已撤销".into()));
        }
        let after = serde_json::json!({ "token_id": id });
        tx.audit(fazhi_store::AuditEntry {
            at: now,
            actor: &actor.login,
            action: "revoke_token",
            entity: "user",
            entity_id: &actor.id.to_string(),
            before: None,
            after: Some(&after),
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The actor's tokens (names and dates, never the tokens).
    pub async fn tokens_of(&self, actor: &Actor) -> Result<Vec<tokens::TokenRow>, AppError> {
        Ok(tokens::of_user(&self.db, actor.id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_with_the_right_secret() {
        let h = hash_password("correct-horse-9").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct-horse-9", &h));
        assert!(!verify_password("correct-horse-8", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn the_password_policy_names_its_reason() {
        let msg = |p: &str| match check_password_policy(p) {
            Err(AppError::Invalid(v)) => v[0].message.clone(),
            other => format!("{other:?}"),
        };
        assert_eq!(msg("short1"), "密码：至少10个字符");
        assert_eq!(
            msg("aaaaaaaaaaaa"),
            "密码：至少包含字母、数字、符号中的两类"
        );
        assert!(check_password_policy("fazhi-demo-2026").is_ok());
    }

    #[test]
    fn the_throttle_locks_a_pair_not_an_account_backs_off_and_forgets() {
        let t = Throttle::default();
        let now = 1_000_000_000;
        for i in 0..MAX_FAILURES as i64 {
            assert!(t.check("leader", "10.0.0.1", now + i).is_ok());
            t.record_failure("leader", "10.0.0.1", now + i);
        }
        assert!(
            t.check("leader", "10.0.0.1", now + 10).is_err(),
            "the attacker waits"
        );
        assert!(
            t.check("leader", "10.0.0.2", now + 10).is_ok(),
            "the owner elsewhere does not"
        );
        assert!(
            t.check("leader", "10.0.0.1", now + 61_000).is_ok(),
            "one minute later"
        );
        t.record_failure("leader", "10.0.0.1", now + 61_000);
        assert!(
            t.check("leader", "10.0.0.1", now + 61_000 + 90_000)
                .is_err(),
            "then two minutes"
        );
        assert!(
            t.check("leader", "10.0.0.1", now + 61_000 + 121_000)
                .is_ok()
        );
        // Many distinct keys are swept once they expire.
        for i in 0..(SWEEP_ABOVE + 10) {
            t.record_failure(&format!("u{i}"), "10.0.0.3", now);
        }
        assert!(t.len() > SWEEP_ABOVE);
        t.record_failure("late", "10.0.0.4", now + FAILURE_WINDOW_MS + 1);
        // Left: the late pair and address, and the leader's pair and address (their failure at
        // now + 61 s is still inside the window).
        assert_eq!(t.len(), 4, "expired keys evicted");
    }
}
