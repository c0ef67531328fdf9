//! Limits on everything a peer controls, with RFC 5321 defaults, and the
//! policy for bytes RFC 5321 does not allow in message data.

/// Limits on what a peer may send, checked before any grammar runs.
///
/// The line and path defaults are the minimums RFC 5321 §4.5.3.1 requires
/// every implementation to accept. Fields are public so a caller can widen
/// or narrow any of them:
///
/// ```
/// let mut limits = mailwire_smtp::Limits::default();
/// limits.reply_line = 2048; // talk to a server with long reply lines
/// assert_eq!(limits.reply_lines, 100);
/// assert_eq!(limits.data_line, 1000);
/// assert_eq!(limits.message_size, 64 * 1024 * 1024);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest reply line, CRLF included (RFC 5321 §4.5.3.1.5: 512).
    pub reply_line: usize,
    /// Most lines in one multi-line reply.
    pub reply_lines: usize,
    /// Longest command line, CRLF included (RFC 5321 §4.5.3.1.4: 512).
    /// Servers that accept many ESMTP parameters raise it (RFC 1870 §3 and
    /// others add their parameters' length to the minimum).
    pub command_line: usize,
    /// Longest reverse-path or forward-path, angle brackets included
    /// (RFC 5321 §4.5.3.1.3: 256).
    pub path: usize,
    /// Longest text line of message data, CRLF included and a stuffed dot
    /// not counted (RFC 5321 §4.5.3.1.6: 1000). A longer line is recorded
    /// and reported when the data ends; it never breaks the framing.
    pub data_line: usize,
    /// Largest message, in octets after dot-unstuffing, CRLFs included
    /// (the size RFC 1870 counts). Default 64 MiB, well above the 64K octets
    /// RFC 5321 §4.5.3.1.7 requires. Data past it is read to its end and
    /// counted but no longer handed out, and the message is refused then.
    pub message_size: u64,
    /// What to do with bare CR, bare LF and NUL in message data.
    pub data_policy: DataPolicy,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            reply_line: 512,
            reply_lines: 100,
            command_line: 512,
            path: 256,
            data_line: 1000,
            message_size: 64 * 1024 * 1024,
            data_policy: DataPolicy::default(),
        }
    }
}

/// What the DATA decoder does with a CR or LF that is not part of a CRLF.
///
/// Whatever the choice, only `<CRLF>.<CRLF>` ends the data: a bare CR or LF
/// is never a line break for the framing, so it can never smuggle an
/// end-of-data past a relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum BareLineEnd {
    /// Keep it as data, and refuse the message when the data ends
    /// (RFC 5321 §2.3.8: CR and LF only occur together as CRLF).
    #[default]
    Reject,
    /// Keep it as data and accept the message.
    Keep,
    /// Hand it out as CRLF and accept the message. The CRLF written in its
    /// place is content only: a `.` after it is not unstuffed and cannot end
    /// the data.
    Normalise,
}

/// What the DATA decoder does with a NUL octet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum NulByte {
    /// Keep it as data, and refuse the message when the data ends.
    #[default]
    Reject,
    /// Keep it as data and accept the message.
    Keep,
    /// Drop it and accept the message.
    Strip,
}

/// The policy for octets RFC 5321 does not allow in message data. The
/// default rejects all three, after the end of the data, with the framing
/// kept.
///
/// ```
/// use mailwire_smtp::{BareLineEnd, Limits};
/// let mut limits = Limits::default();
/// limits.data_policy.bare_lf = BareLineEnd::Normalise;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct DataPolicy {
    /// A CR not followed by LF.
    pub bare_cr: BareLineEnd,
    /// An LF not preceded by CR.
    pub bare_lf: BareLineEnd,
    /// A NUL octet.
    pub nul: NulByte,
}
