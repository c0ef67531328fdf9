//! Sans-IO session state.
//!
//! An IMAP connection is in one of four states (RFC 9051 §3); the server's
//! greeting chooses the first (RFC 9051 §3.1–§3.4, §7.1):
//!
//! ```text
//! greeting OK      -> Not Authenticated
//! greeting PREAUTH -> Authenticated
//! greeting BYE     -> Logout
//! ```
//!
//! ```
//! use mailwire_imap::{decode, Limits, session::State};
//! let (greeting, _) = decode::greeting(b"* PREAUTH IMAP4rev2 server logged in as Smith\r\n", &Limits::default())
//!     .unwrap().complete().unwrap();
//! assert_eq!(State::after_greeting(&greeting), State::Authenticated);
//! ```
//!
//! The full client and server state machines build on this and on
//! [`crate::decode::GreetingDecoder`], which hands back the bytes that
//! follow the greeting ([`take_buffered`](crate::decode::GreetingDecoder::take_buffered)).

use crate::types::{Greeting, GreetingKind};

/// The state of an IMAP connection (RFC 9051 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// The client must authenticate before most commands (RFC 9051 §3.1).
    NotAuthenticated,
    /// The client must select a mailbox before message commands
    /// (RFC 9051 §3.2).
    Authenticated,
    /// A mailbox is selected (RFC 9051 §3.3).
    Selected,
    /// The connection is being closed (RFC 9051 §3.4).
    Logout,
}

impl State {
    /// The state a greeting of `kind` puts the connection in.
    pub const fn from_greeting_kind(kind: GreetingKind) -> Self {
        match kind {
            GreetingKind::Ok => Self::NotAuthenticated,
            GreetingKind::PreAuth => Self::Authenticated,
            GreetingKind::Bye => Self::Logout,
        }
    }

    /// The state `greeting` puts the connection in.
    pub fn after_greeting(greeting: &Greeting<'_>) -> Self {
        Self::from_greeting_kind(greeting.kind())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Limits, decode};

    fn state(line: &[u8]) -> State {
        let (g, _) = decode::greeting(line, &Limits::default())
            .unwrap()
            .complete()
            .unwrap();
        State::after_greeting(&g)
    }

    #[test]
    fn greeting_chooses_the_first_state() {
        // RFC 9051 §7.1.1, §7.1.4, §7.1.5 examples.
        assert_eq!(
            state(b"* OK IMAP4rev2 server ready\r\n"),
            State::NotAuthenticated
        );
        assert_eq!(
            state(b"* PREAUTH IMAP4rev2 server logged in as Smith\r\n"),
            State::Authenticated
        );
        assert_eq!(
            state(b"* BYE Autologout; idle for too long\r\n"),
            State::Logout
        );
        assert_eq!(state(b"* bye\r\n"), State::Logout);
    }
}
