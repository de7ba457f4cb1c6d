use std::fmt;
use std::sync::OnceLock;

/// 128 random bits drawn from the OS RNG once per process start and never
/// written anywhere. A receiver can de-duplicate one session's repeated
/// reports without being able to correlate sessions across restarts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SessionNonce([u8; 16]);

impl SessionNonce {
    /// This process's nonce, drawn on first use.
    ///
    /// If the OS RNG fails (it practically never does), the nonce falls back
    /// to one built from the time and process id: still per-process, never
    /// persisted, and telemetry never fails the server.
    pub fn current() -> SessionNonce {
        static NONCE: OnceLock<SessionNonce> = OnceLock::new();
        *NONCE.get_or_init(SessionNonce::draw)
    }

    fn draw() -> SessionNonce {
        let mut bytes = [0u8; 16];
        if getrandom::fill(&mut bytes).is_err() {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            bytes = (nanos ^ (u128::from(std::process::id()) << 64)).to_le_bytes();
        }
        SessionNonce(bytes)
    }

    /// The nonce as 32 lowercase hex digits, as sent on the wire.
    pub fn to_hex(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for SessionNonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl fmt::Debug for SessionNonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionNonce({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::SessionNonce;

    #[test]
    fn stable_within_a_process_and_hex_encoded() {
        let nonce = SessionNonce::current();
        assert_eq!(nonce, SessionNonce::current());
        let hex = nonce.to_hex();
        assert_eq!(hex.len(), 32);
        assert!(hex
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_ne!(SessionNonce::draw(), SessionNonce::draw());
    }
}
