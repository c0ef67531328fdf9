//! Sans-IO client and server state machines.
//!
//! This room holds the session layer. Today it holds the POP3 states and
//! which commands each allows; its building block for a server is
//! [`crate::decode::CommandDecoder`], which turns the client's byte stream
//! into commands, chunk by chunk, and hands back unprocessed bytes at an
//! `STLS` boundary ([`take_buffered`](crate::decode::CommandDecoder::take_buffered));
//! for a client it is [`crate::decode::ResponseDecoder`], which reads the
//! server's responses in the context of the commands sent.

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
