//! The maildrop behind a POP3 session: a snapshot of the Maildir taken at
//! login, the lock that keeps a second session out while one is open, and
//! the byte filters that turn a stored file into what POP3 sends.

use std::collections::HashSet;
use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use mailwire::pop3::session::{Maildrop, MessageInfo};
use mailwire::pop3::types::UniqueId;

use super::maildir::{Maildir, MessageFile};

/// Maildrops with an open session, by their directory (RFC 1939 §8: the
/// server locks the maildrop for the whole TRANSACTION state).
#[derive(Debug, Clone, Default)]
pub struct Locks(Arc<Mutex<HashSet<PathBuf>>>);

/// A held maildrop lock, released when dropped.
#[derive(Debug)]
pub struct LockGuard {
    locks: Locks,
    root: PathBuf,
}

impl Locks {
    /// Locks the maildrop at `root`, `None` when a session holds it.
    pub fn try_lock(&self, root: PathBuf) -> Option<LockGuard> {
        let mut held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        held.insert(root.clone()).then(|| LockGuard {
            locks: self.clone(),
            root,
        })
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        let mut held = self.locks.0.lock().unwrap_or_else(|e| e.into_inner());
        held.remove(&self.root);
    }
}

/// One message of the snapshot.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The file as listed at login.
    pub file: MessageFile,
    /// The size POP3 announces: the file's octets with every bare LF
    /// counted as CRLF.
    pub wire_size: u64,
    /// Whether the file has LF line ends without CR, which are sent as
    /// CRLF; a file stored with CRLF is sent as it is, byte for byte.
    pub bare_lf: bool,
    /// The unique-id for `UIDL`.
    pub uid: UniqueId<'static>,
}

/// The maildrop as it was at login.
#[derive(Debug)]
pub struct Snapshot {
    /// The messages, message 1 first (oldest delivery first).
    pub entries: Vec<Entry>,
}

impl Snapshot {
    /// Lists the Maildir and measures each message. Blocking: run it off
    /// the async threads.
    pub fn take(maildir: &Maildir) -> io::Result<Snapshot> {
        let mut entries = Vec::new();
        for file in maildir.messages()? {
            let (wire_size, bare_lf) = match measure(&file) {
                Ok(m) => m,
                // Gone between the listing and now (another reader removed it).
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            let uid = unique_id(&file.unique);
            entries.push(Entry {
                file,
                wire_size,
                bare_lf,
                uid,
            });
        }
        Ok(Snapshot { entries })
    }

    /// The session's view: sizes and unique-ids.
    pub fn maildrop(&self) -> Maildrop {
        let infos = self
            .entries
            .iter()
            .map(|e| MessageInfo::new(e.wire_size).with_uid(e.uid.clone()))
            .collect();
        // A Maildir with more than u32::MAX files is not served whole.
        Maildrop::new(infos).unwrap_or_default()
    }

    /// The total size announced.
    pub fn size(&self) -> u64 {
        self.entries.iter().map(|e| e.wire_size).sum()
    }
}

/// The file's size on the wire and whether it has bare LFs.
fn measure(file: &MessageFile) -> io::Result<(u64, bool)> {
    let mut f = std::fs::File::open(&file.path)?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    let mut bare = 0u64;
    let mut prev = 0u8;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let chunk = buf.get(..n).unwrap_or_default();
        for &b in chunk {
            if b == b'\n' && prev != b'\r' {
                bare += 1;
            }
            prev = b;
        }
        size += n as u64;
    }
    Ok((size + bare, bare > 0))
}

/// The Maildir unique name as a POP3 unique-id (RFC 1939 §7: 1 to 70
/// octets 0x21 to 0x7E). A name that does not fit is replaced by a hash of
/// it, stable across sessions.
pub fn unique_id(unique: &str) -> UniqueId<'static> {
    if let Ok(uid) = UniqueId::new(unique.as_bytes().to_vec()) {
        return uid;
    }
    // FNV-1a, 64 bits: stable across runs and platforms.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in unique.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    UniqueId::new(format!("h{h:016x}").into_bytes()).expect("16 hex digits make a unique-id")
}

/// Turns bare LF into CRLF across chunk boundaries.
#[derive(Debug, Default)]
pub struct CrlfFilter {
    prev_cr: bool,
}

impl CrlfFilter {
    /// Appends `chunk`, bare LFs made CRLF, to `out`.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        for &b in chunk {
            if b == b'\n' && !self.prev_cr {
                out.push(b'\r');
            }
            out.push(b);
            self.prev_cr = b == b'\r';
        }
    }
}

/// Keeps what `TOP msg n` sends (RFC 1939 §7): the header, the blank line
/// that ends it, and the first `n` lines of the body.
#[derive(Debug)]
pub struct TopFilter {
    in_header: bool,
    at_line_start: bool,
    lines_left: u32,
    done: bool,
}

impl TopFilter {
    /// A filter for `TOP msg lines`.
    pub fn new(lines: u32) -> Self {
        Self {
            in_header: true,
            at_line_start: true,
            lines_left: lines,
            done: false,
        }
    }

    /// True once everything to send has been let through.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The prefix of `chunk` to send.
    pub fn take<'a>(&mut self, chunk: &'a [u8]) -> &'a [u8] {
        if self.done {
            return &[];
        }
        for (i, &b) in chunk.iter().enumerate() {
            if self.in_header {
                match b {
                    b'\n' if self.at_line_start => {
                        // The empty line ending the header.
                        self.in_header = false;
                        if self.lines_left == 0 {
                            self.done = true;
                            return chunk.get(..=i).unwrap_or_default();
                        }
                    }
                    b'\n' => self.at_line_start = true,
                    b'\r' => {}
                    _ => self.at_line_start = false,
                }
            } else if b == b'\n' {
                self.lines_left = self.lines_left.saturating_sub(1);
                if self.lines_left == 0 {
                    self.done = true;
                    return chunk.get(..=i).unwrap_or_default();
                }
            }
        }
        chunk
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(message: &[u8], lines: u32, chunk: usize) -> Vec<u8> {
        let mut f = TopFilter::new(lines);
        let mut out = Vec::new();
        for c in message.chunks(chunk) {
            out.extend_from_slice(f.take(c));
        }
        out
    }

    #[test]
    fn top_keeps_header_blank_line_and_n_lines() {
        let m = b"A: 1\r\nB: 2\r\n\r\none\r\ntwo\r\nthree\r\n";
        for chunk in 1..m.len() {
            assert_eq!(top(m, 0, chunk), b"A: 1\r\nB: 2\r\n\r\n");
            assert_eq!(top(m, 2, chunk), b"A: 1\r\nB: 2\r\n\r\none\r\ntwo\r\n");
            assert_eq!(top(m, 9, chunk), m);
        }
        assert_eq!(top(b"A: 1\n\nbody\n", 0, 3), b"A: 1\n\n");
        assert_eq!(top(b"A: 1\r\n", 0, 3), b"A: 1\r\n");
    }

    #[test]
    fn crlf_filter() {
        let mut f = CrlfFilter::default();
        let mut out = Vec::new();
        f.push(b"a\nb\r", &mut out);
        f.push(b"\nc\n", &mut out);
        assert_eq!(out, b"a\r\nb\r\nc\r\n");
    }
}
