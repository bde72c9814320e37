//! Passwords (Argon2id), login throttling and server-side sessions.

use std::collections::HashMap;
use std::sync::Mutex;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use fazhi_store::{SessionRow, org, sessions};
use rand::RngCore;

use crate::{Actor, App, AppError};

/// Sessions last 12 hours (one working day plus overtime).
pub const SESSION_MS: i64 = 12 * 3600 * 1000;
/// After this many failed logins for one account within the window, further attempts are refused.
pub const MAX_FAILURES: usize = 5;
pub const FAILURE_WINDOW_MS: i64 = 15 * 60 * 1000;

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

/// Failed-login memory per account and per client address (in process).
#[derive(Debug, Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, Vec<i64>>>,
}

impl Throttle {
    fn recent(&self, key: &str, now: i64) -> usize {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let v = map.entry(key.to_string()).or_default();
        v.retain(|t| now - *t < FAILURE_WINDOW_MS);
        v.len()
    }
    fn fail(&self, key: &str, now: i64) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(key.to_string()).or_default().push(now);
    }
    fn clear(&self, key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

/// 32 random bytes as hex: session ids, CSRF tokens, the one-time setup token.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

impl App {
    /// Verifies a login and opens a session. Too many failures lock the account for the window.
    pub async fn login(
        &self,
        login: &str,
        password: &str,
        client: &str,
    ) -> Result<(SessionRow, Actor), AppError> {
        let now = self.clock.now_ms();
        let keys = [format!("login:{login}"), format!("client:{client}")];
        if self.throttle.recent(&keys[0], now) >= MAX_FAILURES
            || self.throttle.recent(&keys[1], now) >= MAX_FAILURES * 4
        {
            return Err(AppError::LoginFailed(
                "登录失败次数过多，请15分钟后再试".into(),
            ));
        }
        let user = org::user_by_login(&self.db, login).await?;
        let ok = match &user {
            Some(u) => u.active && verify_password(password, &u.password_hash),
            None => {
                // Same work for unknown logins, so timing does not reveal which logins exist.
                let _ = verify_password(
                    password,
                    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$Z4Xq2oQ7y8Qm4kQwY0bq1F9oS8WJm2mJd9w1fJ6bY1c",
                );
                false
            }
        };
        let Some(user) = user.filter(|_| ok) else {
            for k in &keys {
                self.throttle.fail(k, now);
            }
            let mut tx = self.db.begin().await?;
            let after = serde_json::json!({ "login": login, "client": client });
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
            return Err(AppError::LoginFailed("用户名或密码错误".into()));
        };
        self.throttle.clear(&keys[0]);
        let session = SessionRow {
            id: random_token(),
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
        Ok((session, actor))
    }

    pub async fn actor_for(&self, user: &fazhi_store::UserRow) -> Result<Actor, AppError> {
        let unit = org::unit(&self.db, user.unit_id).await?;
        Ok(Actor::from_row(user, unit.path, unit.name))
    }

    /// The actor behind a session id, if the session is alive and the user active.
    pub async fn session_actor(&self, id: &str) -> Result<Option<(SessionRow, Actor)>, AppError> {
        let Some((s, user, unit)) =
            sessions::get_with_user(&self.db, id, self.clock.now_ms()).await?
        else {
            return Ok(None);
        };
        if !user.active {
            return Ok(None);
        }
        Ok(Some((s, Actor::from_row(&user, unit.path, unit.name))))
    }

    pub async fn logout(&self, session_id: &str) -> Result<(), AppError> {
        sessions::delete(&self.db, session_id).await?;
        Ok(())
    }

    /// Authenticates an API client with HTTP Basic credentials (no session).
    pub async fn basic_auth(
        &self,
        login: &str,
        password: &str,
        client: &str,
    ) -> Result<Actor, AppError> {
        let now = self.clock.now_ms();
        let key = format!("login:{login}");
        if self.throttle.recent(&key, now) >= MAX_FAILURES {
            return Err(AppError::LoginFailed(
                "登录失败次数过多，请15分钟后再试".into(),
            ));
        }
        let user = org::user_by_login(&self.db, login).await?;
        match user {
            Some(u) if u.active && verify_password(password, &u.password_hash) => {
                self.actor_for(&u).await
            }
            _ => {
                self.throttle.fail(&key, now);
                self.throttle.fail(&format!("client:{client}"), now);
                Err(AppError::LoginFailed("用户名或密码错误".into()))
            }
        }
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
}
