//! Sans-IO client and server sessions (RFC 9051 §3, §5, §6 and the
//! extensions: LITERAL+/LITERAL- RFC 7888, IDLE RFC 2177, SASL-IR
//! RFC 4959, ENABLE RFC 5161, COMPRESS RFC 4978, STARTTLS).
//!
//! Both sides have the shape every mailwire protocol's sessions have:
//! bytes from the socket go in with `handle_input` (any chunk size;
//! nothing is parsed twice by the session), what happened comes out of
//! `poll_event`, the application answers (the server) or asks (the
//! client, `send`), and the bytes to write come out of `poll_transmit`.
//! No socket, no clock: a client and a server can be wired to each other
//! in memory.
//!
//! ```
//! use mailwire_imap::session::{Client, ClientConfig, ClientEvent, CommandKind, Server, ServerConfig, ServerEvent, State};
//! use mailwire_imap::types::{CommandBody, Data, Mailbox, Secret, StatusKind};
//!
//! let mut server = Server::new(ServerConfig::default());
//! let mut client = Client::new(ClientConfig::default());
//! client.send(CommandBody::Login {
//!     username: b"fred"[..].into(),
//!     password: Secret::new(b"secret"[..].into()),
//! })?;
//! let select = client.send(CommandBody::Select { mailbox: Mailbox::Inbox, params: Vec::new() })?;
//! client.send(CommandBody::Logout)?;
//!
//! let mut completed = Vec::new();
//! for _ in 0..10 {
//!     while let Some(bytes) = server.poll_transmit() {
//!         client.handle_input(&bytes);
//!     }
//!     while let Some(bytes) = client.poll_transmit() {
//!         server.handle_input(&bytes);
//!     }
//!     while let Some(event) = server.poll_event() {
//!         match event {
//!             // The application checks the password; OK logs the client in.
//!             ServerEvent::Login { password, .. } if password.expose() == b"secret" => {
//!                 server.complete(StatusKind::Ok, None, "logged in")?;
//!             }
//!             ServerEvent::Command(request) if request.kind() == CommandKind::Select => {
//!                 server.send_data(&Data::Exists(2))?;
//!                 server.complete(StatusKind::Ok, None, "SELECT completed")?;
//!             }
//!             _ => {}
//!         }
//!     }
//!     while let Some(event) = client.poll_event() {
//!         if let ClientEvent::Completed { tag, status, .. } = event {
//!             completed.push((tag, status.kind()));
//!         }
//!     }
//! }
//! assert_eq!(completed.len(), 3);
//! assert_eq!(completed[1], (select, StatusKind::Ok));
//! assert!(server.is_closed());
//! assert_eq!(client.state(), State::Logout);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The client generates the tags (`A0001`, `A0002`, …), writes each
//! synchronizing literal only after the server's `+` (and
//! non-synchronizing ones at once when the server has `LITERAL+`, or
//! `LITERAL-` and the literal is at most 4096 octets), runs SASL exchanges
//! with [`mailwire_sasl`], and routes each untagged response to the
//! command that asked for it or reports it as unsolicited
//! ([`Unsolicited`]). The server answers each literal announcement with
//! `+` or refuses it without reading the octets, enforces the connection
//! states, and hands the application typed requests
//! ([`ServerEvent`]) to answer.
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
//! The building blocks are [`crate::decode::CommandDecoder`] (the server
//! reads the client's stream with it, stopping at each synchronizing
//! literal), [`crate::decode::ResponseDecoder`] and
//! [`crate::decode::GreetingDecoder`] (the client's side), and
//! [`crate::encode::fragments`] (commands cut where literals wait).
//!
//! STARTTLS and COMPRESS change the transport: the session says when
//! ([`ServerEvent::StartTls`], [`ClientEvent::Compress`], …) and hands
//! back the bytes that arrived after the command, which it never
//! processed; it does not encrypt or compress anything itself.

mod body;
mod client;
mod server;

pub use client::{Client, ClientConfig, ClientError, ClientEvent, Received, Selected, Unsolicited};
pub use server::{Request, Server, ServerConfig, ServerEvent, SessionError};

use crate::types::{Capability, CommandBody, Greeting, GreetingKind, LiteralMode};

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

    /// True when a command of `kind` may be given in this state
    /// (RFC 9051 §6 and the extensions):
    ///
    /// | commands | Not Authenticated | Authenticated | Selected |
    /// |---|---|---|---|
    /// | `CAPABILITY`, `NOOP`, `LOGOUT`, `ID` (RFC 2971) | yes | yes | yes |
    /// | `STARTTLS`, `AUTHENTICATE`, `LOGIN` | yes | no | no |
    /// | `ENABLE` (RFC 5161 §3.1: before any mailbox is selected) | no | yes | no |
    /// | `SELECT`, `EXAMINE`, `CREATE`, `DELETE`, `RENAME`, `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST`, `LSUB`, `NAMESPACE`, `STATUS`, `APPEND`, `IDLE`, `COMPRESS`, QUOTA, ACL, METADATA | no | yes | yes |
    /// | `CHECK`, `CLOSE`, `UNSELECT`, `EXPUNGE`, `SEARCH`, `FETCH`, `STORE`, `COPY`, `MOVE`, `SORT`, `THREAD` and their `UID` forms | no | no | yes |
    ///
    /// Nothing is allowed in the Logout state, and a command the crate
    /// does not know ([`CommandKind::Other`]) is never allowed here: only
    /// the application that implements it knows where it belongs.
    ///
    /// ```
    /// use mailwire_imap::session::{CommandKind, State};
    /// assert!(State::NotAuthenticated.allows(CommandKind::Login));
    /// assert!(!State::Authenticated.allows(CommandKind::Fetch));
    /// assert!(State::Selected.allows(CommandKind::Fetch));
    /// assert!(!State::Logout.allows(CommandKind::Noop));
    /// ```
    pub fn allows(self, kind: CommandKind) -> bool {
        use CommandKind as K;
        let any = matches!(kind, K::Capability | K::Noop | K::Logout | K::Id);
        let nonauth = matches!(kind, K::StartTls | K::Authenticate | K::Login);
        let auth = matches!(
            kind,
            K::Select
                | K::Examine
                | K::Create
                | K::Delete
                | K::Rename
                | K::Subscribe
                | K::Unsubscribe
                | K::List
                | K::Lsub
                | K::Namespace
                | K::Status
                | K::Append
                | K::Idle
                | K::Compress
                | K::GetQuota
                | K::GetQuotaRoot
                | K::SetQuota
                | K::SetAcl
                | K::DeleteAcl
                | K::GetAcl
                | K::ListRights
                | K::MyRights
                | K::GetMetadata
                | K::SetMetadata
        );
        let selected = matches!(
            kind,
            K::Check
                | K::Close
                | K::Unselect
                | K::Expunge
                | K::Search
                | K::Fetch
                | K::Store
                | K::Copy
                | K::Move
                | K::Sort
                | K::Thread
        );
        match self {
            Self::NotAuthenticated => any || nonauth,
            Self::Authenticated => any || auth || kind == K::Enable,
            Self::Selected => any || auth || selected,
            Self::Logout => false,
        }
    }
}

/// Which command a [`CommandBody`] is, without its arguments (the `UID`
/// forms are the same kind as the plain ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum CommandKind {
    Capability,
    Noop,
    Logout,
    StartTls,
    Authenticate,
    Login,
    Enable,
    Select,
    Examine,
    Create,
    Delete,
    Rename,
    Subscribe,
    Unsubscribe,
    List,
    Lsub,
    Namespace,
    Status,
    Append,
    Idle,
    Check,
    Close,
    Unselect,
    Expunge,
    Search,
    Fetch,
    Store,
    Copy,
    Move,
    Sort,
    Thread,
    GetQuota,
    GetQuotaRoot,
    SetQuota,
    SetAcl,
    DeleteAcl,
    GetAcl,
    ListRights,
    MyRights,
    GetMetadata,
    SetMetadata,
    Id,
    Compress,
    /// A command this crate does not model.
    Other,
}

/// Command names and their kinds, for reading a command's name before the
/// rest of it has arrived.
const KEYWORDS: [(&str, CommandKind); 43] = {
    use CommandKind as K;
    [
        ("CAPABILITY", K::Capability),
        ("NOOP", K::Noop),
        ("LOGOUT", K::Logout),
        ("STARTTLS", K::StartTls),
        ("AUTHENTICATE", K::Authenticate),
        ("LOGIN", K::Login),
        ("ENABLE", K::Enable),
        ("SELECT", K::Select),
        ("EXAMINE", K::Examine),
        ("CREATE", K::Create),
        ("DELETE", K::Delete),
        ("RENAME", K::Rename),
        ("SUBSCRIBE", K::Subscribe),
        ("UNSUBSCRIBE", K::Unsubscribe),
        ("LIST", K::List),
        ("LSUB", K::Lsub),
        ("NAMESPACE", K::Namespace),
        ("STATUS", K::Status),
        ("APPEND", K::Append),
        ("IDLE", K::Idle),
        ("CHECK", K::Check),
        ("CLOSE", K::Close),
        ("UNSELECT", K::Unselect),
        ("EXPUNGE", K::Expunge),
        ("SEARCH", K::Search),
        ("FETCH", K::Fetch),
        ("STORE", K::Store),
        ("COPY", K::Copy),
        ("MOVE", K::Move),
        ("SORT", K::Sort),
        ("THREAD", K::Thread),
        ("GETQUOTA", K::GetQuota),
        ("GETQUOTAROOT", K::GetQuotaRoot),
        ("SETQUOTA", K::SetQuota),
        ("SETACL", K::SetAcl),
        ("DELETEACL", K::DeleteAcl),
        ("GETACL", K::GetAcl),
        ("LISTRIGHTS", K::ListRights),
        ("MYRIGHTS", K::MyRights),
        ("GETMETADATA", K::GetMetadata),
        ("SETMETADATA", K::SetMetadata),
        ("ID", K::Id),
        ("COMPRESS", K::Compress),
    ]
};

impl CommandKind {
    /// The kind of `body`.
    pub fn of(body: &CommandBody<'_>) -> Self {
        use CommandBody as B;
        match body {
            B::Capability => Self::Capability,
            B::Noop => Self::Noop,
            B::Logout => Self::Logout,
            B::StartTls => Self::StartTls,
            B::Authenticate { .. } => Self::Authenticate,
            B::Login { .. } => Self::Login,
            B::Enable(_) => Self::Enable,
            B::Select { .. } => Self::Select,
            B::Examine { .. } => Self::Examine,
            B::Create { .. } => Self::Create,
            B::Delete(_) => Self::Delete,
            B::Rename { .. } => Self::Rename,
            B::Subscribe(_) => Self::Subscribe,
            B::Unsubscribe(_) => Self::Unsubscribe,
            B::List { .. } => Self::List,
            B::Lsub { .. } => Self::Lsub,
            B::Namespace => Self::Namespace,
            B::Status { .. } => Self::Status,
            B::Append { .. } | B::MultiAppend { .. } => Self::Append,
            B::Idle => Self::Idle,
            B::Check => Self::Check,
            B::Close => Self::Close,
            B::Unselect => Self::Unselect,
            B::Expunge | B::UidExpunge(_) => Self::Expunge,
            B::Search { .. } => Self::Search,
            B::Fetch { .. } => Self::Fetch,
            B::Store { .. } => Self::Store,
            B::Copy { .. } => Self::Copy,
            B::Move { .. } => Self::Move,
            B::Sort { .. } | B::ESort { .. } => Self::Sort,
            B::Thread { .. } => Self::Thread,
            B::GetQuota(_) => Self::GetQuota,
            B::GetQuotaRoot(_) => Self::GetQuotaRoot,
            B::SetQuota { .. } => Self::SetQuota,
            B::SetAcl { .. } => Self::SetAcl,
            B::DeleteAcl { .. } => Self::DeleteAcl,
            B::GetAcl(_) => Self::GetAcl,
            B::ListRights { .. } => Self::ListRights,
            B::MyRights(_) => Self::MyRights,
            B::GetMetadata { .. } => Self::GetMetadata,
            B::SetMetadata { .. } => Self::SetMetadata,
            B::Id(_) => Self::Id,
            B::Compress(_) => Self::Compress,
        }
    }

    /// The kind of the command named `name` (case-insensitively);
    /// [`Other`](Self::Other) for a name the crate does not know.
    ///
    /// ```
    /// use mailwire_imap::session::CommandKind;
    /// assert_eq!(CommandKind::from_name(b"append"), CommandKind::Append);
    /// assert_eq!(CommandKind::from_name(b"XYZZY"), CommandKind::Other);
    /// ```
    pub fn from_name(name: &[u8]) -> Self {
        KEYWORDS
            .iter()
            .find(|(k, _)| k.as_bytes().eq_ignore_ascii_case(name))
            .map_or(Self::Other, |&(_, kind)| kind)
    }

    /// The kind of the command at the start of a client's line
    /// (`tag SP ["UID" SP] name …`), read from as much of the line as has
    /// arrived; `None` when the name is not complete.
    pub(crate) fn from_line(line: &[u8]) -> Option<Self> {
        let mut words = line.splitn(4, |&b| b == b' ');
        let _tag = words.next()?;
        let name = words.next()?;
        let kind = Self::from_name(name);
        if name.eq_ignore_ascii_case(b"UID") {
            let inner = words.next()?;
            return Some(Self::from_name(inner));
        }
        Some(kind)
    }
}

/// Whether `caps` lists the capability named `name` (case-insensitively).
pub(crate) fn has_capability(caps: &[Capability<'_>], name: &str) -> bool {
    use crate::encode::Encode;
    caps.iter()
        .any(|c| c.to_bytes().eq_ignore_ascii_case(name.as_bytes()))
}

/// The literal mode a server with `caps` accepts (RFC 7888; IMAP4rev2
/// includes `LITERAL-`, RFC 9051 §4.3).
pub(crate) fn literal_mode(caps: &[Capability<'_>]) -> LiteralMode {
    if caps.contains(&Capability::LiteralPlus) {
        LiteralMode::Plus
    } else if caps.contains(&Capability::LiteralMinus) || caps.contains(&Capability::Imap4Rev2) {
        LiteralMode::Minus
    } else {
        LiteralMode::Sync
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

    #[test]
    fn every_keyword_round_trips() {
        for (name, kind) in KEYWORDS {
            assert_eq!(
                CommandKind::from_name(name.to_ascii_lowercase().as_bytes()),
                kind
            );
        }
        assert_eq!(
            CommandKind::from_line(b"A1 UID FETCH 1"),
            Some(CommandKind::Fetch)
        );
        assert_eq!(
            CommandKind::from_line(b"A1 APPEND x {3}"),
            Some(CommandKind::Append)
        );
        assert_eq!(CommandKind::from_line(b"A1"), None);
    }

    #[test]
    fn states_allow() {
        use CommandKind as K;
        for (_, kind) in KEYWORDS {
            assert!(!State::Logout.allows(kind));
            // Everything the crate knows is allowed somewhere.
            assert!(
                State::NotAuthenticated.allows(kind)
                    || State::Authenticated.allows(kind)
                    || State::Selected.allows(kind),
                "{kind:?}"
            );
        }
        assert!(!State::Selected.allows(K::Enable));
        assert!(!State::Selected.allows(K::Login));
        assert!(!State::Authenticated.allows(K::Other));
    }
}
