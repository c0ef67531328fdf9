//! mailwire: sans-IO codecs for Internet mail.
//!
//! This facade re-exports the protocol crates behind features, all on by
//! default: [`smtp`] (SMTP and LMTP), [`pop3`], [`imap`], [`mime`]
//! (RFC 5322 and MIME) and [`sasl`] (the authentication mechanisms they
//! share). Each can also be used on its own.
//!
//! ```
//! # #[cfg(feature = "smtp")] {
//! use mailwire::smtp::{decode, Limits};
//! let reply = decode::reply(b"220 mx.example.org ESMTP ready\r\n", &Limits::default())
//!     .unwrap()
//!     .complete()
//!     .unwrap()
//!     .0;
//! assert_eq!(reply.code().get(), 220);
//! # }
//! ```

#[cfg(feature = "imap")]
#[doc(inline)]
pub use mailwire_imap as imap;
#[cfg(feature = "mime")]
#[doc(inline)]
pub use mailwire_mime as mime;
#[cfg(feature = "pop3")]
#[doc(inline)]
pub use mailwire_pop3 as pop3;
#[cfg(feature = "sasl")]
#[doc(inline)]
pub use mailwire_sasl as sasl;
#[cfg(feature = "smtp")]
#[doc(inline)]
pub use mailwire_smtp as smtp;

/// The README's code examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
