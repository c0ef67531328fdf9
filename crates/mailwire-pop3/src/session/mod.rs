//! Sans-IO client and server sessions (RFC 1939, RFC 2449, RFC 2595,
//! RFC 5034, RFC 6856).
//!
//! Both sides have the shape every mailwire protocol's sessions have:
//! bytes from the socket go in with `handle_input`, what happened comes out
//! of `poll_event`, the application answers (the server) or asks (the
//! client, `send`), and the bytes to write come out of `poll_transmit`.
//! No socket, no clock: a client and a server can be wired to each other in
//! memory.
//!
//! ```
//! use mailwire_pop3::session::{
//!     Client, ClientConfig, ClientEvent, Maildrop, MessageInfo, Server, ServerConfig, ServerEvent,
//! };
//! use mailwire_pop3::types::{Argument, Command, MessageNumber, Password, Text};
//!
//! let mut server = Server::new(ServerConfig::default())?;
//! let mut client = Client::new(ClientConfig::default());
//! client.send(Command::User(Argument::try_from("mrose")?))?;
//! client.send(Command::Pass(Password::try_from("secret")?))?;
//! client.send(Command::Retr(MessageNumber::new(1).unwrap()))?;
//! client.send(Command::Quit)?;
//!
//! let mut body = Vec::new();
//! for _ in 0..10 {
//!     while let Some(bytes) = server.poll_transmit() {
//!         client.handle_input(&bytes);
//!     }
//!     while let Some(bytes) = client.poll_transmit() {
//!         server.handle_input(&bytes);
//!     }
//!     while let Some(event) = server.poll_event() {
//!         match event {
//!             ServerEvent::Login { password, .. } if password.expose() == b"secret" => {
//!                 let maildrop = Maildrop::new(vec![MessageInfo::new(13)])?;
//!                 server.accept_login(maildrop, Text::try_from("maildrop ready")?)?;
//!             }
//!             ServerEvent::Retr { .. } => {
//!                 server.begin_message(Text::try_from("13 octets")?)?;
//!                 server.send_message_chunk(b"Subject: hi\r\n")?;
//!                 server.finish_message()?;
//!             }
//!             ServerEvent::Update { deleted } => {
//!                 assert!(deleted.is_empty());
//!                 server.send(mailwire_pop3::types::Response::ok("bye")?)?;
//!             }
//!             _ => {}
//!         }
//!     }
//!     while let Some(event) = client.poll_event() {
//!         if let ClientEvent::MessageChunk(chunk) = event {
//!             body.extend_from_slice(&chunk);
//!         }
//!     }
//! }
//! assert_eq!(body, b"Subject: hi\r\n");
//! assert!(server.is_closed());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The building blocks are [`crate::decode::CommandDecoder`] (the server
//! reads the client's stream with it) and [`crate::decode::ResponseDecoder`]
//! (the client reads the server's responses, each in the context of the
//! command it answers).

mod client;
mod server;

pub use client::{Client, ClientConfig, ClientError, ClientEvent};
pub use server::{Maildrop, MessageInfo, Server, ServerConfig, ServerEvent, SessionError};

use crate::types::Digest;

/// The digest a client sends with `APOP` (RFC 1939 §7): MD5 of the
/// server's greeting timestamp (angle brackets included) followed by the
/// shared secret.
///
/// ```
/// use mailwire_pop3::session::apop_digest;
/// let digest = apop_digest(b"<1896.697170952@dbc.mtview.ca.us>", b"tanstaaf");
/// assert_eq!(digest.to_string(), "c4c9334bac560ecc979e58001b3e22fb");
/// ```
pub fn apop_digest(timestamp: &[u8], secret: &[u8]) -> Digest {
    use md5::Digest as _;
    let mut hasher = md5::Md5::new();
    hasher.update(timestamp);
    hasher.update(secret);
    Digest::new(hasher.finalize().into())
}

/// Whether `digest` is the `APOP` digest of `timestamp` and `secret`
/// (RFC 1939 §7), compared in time that does not depend on where the
/// digests differ.
///
/// ```
/// use mailwire_pop3::session::verify_apop;
/// use mailwire_pop3::types::Digest;
/// let digest = Digest::from_hex(b"c4c9334bac560ecc979e58001b3e22fb").unwrap();
/// assert!(verify_apop(b"<1896.697170952@dbc.mtview.ca.us>", b"tanstaaf", &digest));
/// assert!(!verify_apop(b"<1896.697170952@dbc.mtview.ca.us>", b"tanstaaF", &digest));
/// ```
pub fn verify_apop(timestamp: &[u8], secret: &[u8], digest: &Digest) -> bool {
    let expected = apop_digest(timestamp, secret);
    let diff = expected
        .as_bytes()
        .iter()
        .zip(digest.as_bytes())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    std::hint::black_box(diff) == 0
}

use crate::types::{Command, CommandKind};

/// The state of a POP3 session (RFC 1939 §3).
///
/// ```
/// use mailwire_pop3::session::State;
/// use mailwire_pop3::types::Command;
/// assert!(State::Authorization.allows(&Command::Capa));
/// assert!(!State::Authorization.allows(&Command::Stat));
/// assert!(State::Transaction.allows(&Command::Stat));
/// assert!(!State::Transaction.allows(&Command::Stls));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// After the greeting: the client identifies itself (RFC 1939 §4).
    Authorization,
    /// The maildrop is open: the client reads and marks messages
    /// (RFC 1939 §5).
    Transaction,
    /// After `QUIT` in the TRANSACTION state: the server removes marked
    /// messages and closes the connection (RFC 1939 §6). No command is
    /// valid.
    Update,
}

impl State {
    /// True when `command` may be given in this state.
    pub fn allows(self, command: &Command<'_>) -> bool {
        self.allows_kind(command.kind())
    }

    /// True when a command of this kind may be given in this state:
    ///
    /// | command | AUTHORIZATION | TRANSACTION | source |
    /// |---|---|---|---|
    /// | `USER`, `PASS`, `APOP` | yes | no | RFC 1939 §7 |
    /// | `QUIT` | yes | yes | RFC 1939 §4, §6 |
    /// | `STAT`, `LIST`, `RETR`, `DELE`, `NOOP`, `RSET` | no | yes | RFC 1939 §5 |
    /// | `TOP`, `UIDL` | no | yes | RFC 1939 §7 |
    /// | `CAPA` | yes | yes | RFC 2449 §5 |
    /// | `STLS` | yes | no | RFC 2595 §4 |
    /// | `AUTH` | yes | no | RFC 5034 §4 |
    /// | `UTF8` | yes | no | RFC 6856 §2 |
    /// | `LANG` | yes | yes | RFC 6856 §3.1 |
    ///
    /// In the UPDATE state no command is allowed. An unknown command is
    /// never allowed here: only the application that implements an
    /// extension knows where its commands belong.
    pub fn allows_kind(self, kind: CommandKind) -> bool {
        use CommandKind as K;
        match self {
            Self::Authorization => matches!(
                kind,
                K::User
                    | K::Pass
                    | K::Apop
                    | K::Auth
                    | K::Quit
                    | K::Capa
                    | K::Stls
                    | K::Utf8
                    | K::Lang
            ),
            Self::Transaction => matches!(
                kind,
                K::Stat
                    | K::List
                    | K::Retr
                    | K::Dele
                    | K::Noop
                    | K::Rset
                    | K::Quit
                    | K::Top
                    | K::Uidl
                    | K::Capa
                    | K::Lang
            ),
            Self::Update => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_by_state() {
        use CommandKind as K;
        let auth_only = [K::User, K::Pass, K::Apop, K::Auth, K::Stls, K::Utf8];
        let transaction_only = [
            K::Stat,
            K::List,
            K::Retr,
            K::Dele,
            K::Noop,
            K::Rset,
            K::Top,
            K::Uidl,
        ];
        let both = [K::Quit, K::Capa, K::Lang];
        for k in auth_only {
            assert!(State::Authorization.allows_kind(k), "{k:?}");
            assert!(!State::Transaction.allows_kind(k), "{k:?}");
        }
        for k in transaction_only {
            assert!(!State::Authorization.allows_kind(k), "{k:?}");
            assert!(State::Transaction.allows_kind(k), "{k:?}");
        }
        for k in both {
            assert!(State::Authorization.allows_kind(k), "{k:?}");
            assert!(State::Transaction.allows_kind(k), "{k:?}");
        }
        // Every known command is in exactly one list.
        assert_eq!(
            auth_only.len() + transaction_only.len() + both.len(),
            CommandKind::KNOWN.len()
        );
        for k in CommandKind::KNOWN.into_iter().chain([K::Unknown]) {
            assert!(!State::Update.allows_kind(k), "{k:?}");
        }
        assert!(!State::Authorization.allows_kind(K::Unknown));
        assert!(!State::Transaction.allows_kind(K::Unknown));
    }

    #[test]
    fn bare_auth_is_an_auth_command() {
        assert!(State::Authorization.allows(&Command::AuthList));
        assert!(!State::Transaction.allows(&Command::AuthList));
    }
}
