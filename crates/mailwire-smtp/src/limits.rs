//! Limits on everything a peer controls, with RFC 5321 defaults.

/// Limits on what a peer may send, checked before any grammar runs.
///
/// The defaults are the minimums RFC 5321 §4.5.3.1 requires every
/// implementation to accept. Fields are public so a caller can widen or
/// narrow any of them:
///
/// ```
/// let mut limits = mailwire_smtp::Limits::default();
/// limits.reply_line = 2048; // talk to a server with long reply lines
/// assert_eq!(limits.reply_lines, 100);
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
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            reply_line: 512,
            reply_lines: 100,
            command_line: 512,
            path: 256,
        }
    }
}
