//! The mailbox store of the IMAP examples: a Maildir (the one `smtp-server`
//! delivers into) with Maildir++ folders, seen through IMAP.
//!
//! - `INBOX` is the Maildir itself; other mailboxes are Maildir++ folders
//!   (`.Name`, `.Parent.Child`), `.` being the hierarchy delimiter. Names
//!   are kept in IMAP's modified UTF-7, as sent.
//! - Each folder keeps its UIDs in `mailwire-uidlist`: a first line
//!   `V<uidvalidity> N<uidnext>`, then `<uid> <unique name>` per message,
//!   rewritten atomically (temporary file, sync, rename) whenever a UID is
//!   given or a message disappears. UIDs and UIDVALIDITY so survive
//!   restarts; a folder seen for the first time gets a UIDVALIDITY from
//!   the clock.
//! - The flag letters of the file names are IMAP's system flags: `S`
//!   `\Seen`, `R` `\Answered`, `F` `\Flagged`, `T` `\Deleted`, `D`
//!   `\Draft`. Messages still in `new/` are `\Recent` for the first
//!   session that selects the folder read-write, which moves them to
//!   `cur/`.
//! - A [`Notifier`] tells idling sessions that something changed (an
//!   `APPEND`, a `COPY`, a delivery by a program that shares it); changes
//!   made by other processes are found by polling.
//!
//! The file operations are blocking and quick (a directory listing, a
//! rename, a small file); a message is read whole when its contents are
//! asked for.

use std::collections::HashMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::watch;

use super::maildir::{Maildir, MessageFile, valid_folder_name};

/// The file that keeps a folder's UIDs.
const UIDLIST: &str = "mailwire-uidlist";

/// Tells sessions that a mailbox may have changed.
#[derive(Debug, Clone)]
pub struct Notifier(std::sync::Arc<watch::Sender<u64>>);

impl Default for Notifier {
    fn default() -> Self {
        Self(std::sync::Arc::new(watch::channel(0).0))
    }
}

impl Notifier {
    /// Wakes every subscriber.
    pub fn notify(&self) {
        self.0.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A receiver that sees each change.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.0.subscribe()
    }
}

/// The IMAP system flags a Maildir file name can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags {
    /// `\Seen` (`S`).
    pub seen: bool,
    /// `\Answered` (`R`).
    pub answered: bool,
    /// `\Flagged` (`F`).
    pub flagged: bool,
    /// `\Deleted` (`T`).
    pub deleted: bool,
    /// `\Draft` (`D`).
    pub draft: bool,
}

impl Flags {
    /// The flags of Maildir info letters.
    pub fn from_letters(letters: &str) -> Flags {
        Flags {
            seen: letters.contains('S'),
            answered: letters.contains('R'),
            flagged: letters.contains('F'),
            deleted: letters.contains('T'),
            draft: letters.contains('D'),
        }
    }

    /// The Maildir info letters, sorted.
    pub fn letters(self) -> String {
        let mut s = String::new();
        for (on, c) in [
            (self.draft, 'D'),
            (self.flagged, 'F'),
            (self.answered, 'R'),
            (self.seen, 'S'),
            (self.deleted, 'T'),
        ] {
            if on {
                s.push(c);
            }
        }
        s
    }
}

/// One message of a folder, as a session sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its UID.
    pub uid: u32,
    /// The file.
    pub file: MessageFile,
    /// Its flags.
    pub flags: Flags,
    /// `\Recent` in this session.
    pub recent: bool,
}

/// A folder's UIDs.
#[derive(Debug, Clone)]
pub struct UidList {
    /// UIDVALIDITY.
    pub validity: u32,
    /// The next UID to give.
    pub next: u32,
    /// UIDs by unique name.
    pub uids: HashMap<String, u32>,
}

/// A folder listing with UIDs, in UID order.
#[derive(Debug, Clone)]
pub struct Listing {
    /// UIDVALIDITY.
    pub validity: u32,
    /// UIDNEXT.
    pub next: u32,
    /// The messages, by increasing UID.
    pub entries: Vec<Entry>,
}

/// One user's mailboxes.
#[derive(Debug, Clone)]
pub struct Store {
    root: Maildir,
    notifier: Notifier,
    /// Sizes on the wire (CRLF line ends) by unique name.
    sizes: std::sync::Arc<std::sync::Mutex<HashMap<String, u64>>>,
    /// Held while a uid list is read, extended and written, so that
    /// sessions listing at once give every message one UID, new messages
    /// in the order they are first seen.
    uidlists: std::sync::Arc<std::sync::Mutex<()>>,
}

/// The message with every bare LF made CRLF, as IMAP sends messages
/// (RFC 9051 §2.3.5); borrowed when it has none.
pub fn crlf(bytes: Vec<u8>) -> Vec<u8> {
    let bare = bytes
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'\n' && (i == 0 || bytes[i - 1] != b'\r'));
    if !bare {
        return bytes;
    }
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' && (i == 0 || bytes[i - 1] != b'\r') {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// The hierarchy delimiter.
pub const DELIMITER: char = '.';

fn other(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg.to_owned())
}

impl Store {
    /// The mailboxes of the Maildir at `root`.
    pub fn new(root: Maildir, notifier: Notifier) -> Store {
        Store {
            root,
            notifier,
            sizes: std::sync::Arc::default(),
            uidlists: std::sync::Arc::default(),
        }
    }

    /// The notifier changes are announced on.
    pub fn notifier(&self) -> &Notifier {
        &self.notifier
    }

    /// The Maildir of mailbox `name` (`INBOX`, case-insensitively, is the
    /// root), if it exists.
    pub fn folder(&self, name: &str) -> io::Result<Maildir> {
        let name = name.trim_end_matches(DELIMITER);
        if name.eq_ignore_ascii_case("INBOX") {
            return Ok(self.root.clone());
        }
        if !valid_folder_name(name) {
            return Err(other("bad mailbox name"));
        }
        let dir = self.root.root().join(format!(".{name}"));
        if !dir.join("cur").is_dir() {
            return Err(io::Error::new(io::ErrorKind::NotFound, "no such mailbox"));
        }
        Maildir::open(dir)
    }

    /// Every mailbox name: `INBOX` and the folders.
    pub fn mailboxes(&self) -> io::Result<Vec<String>> {
        let mut names = vec!["INBOX".to_owned()];
        names.extend(self.root.folders()?);
        Ok(names)
    }

    /// Creates mailbox `name`.
    pub fn create(&self, name: &str) -> io::Result<()> {
        let name = name.trim_end_matches(DELIMITER);
        if name.eq_ignore_ascii_case("INBOX") || self.folder(name).is_ok() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "mailbox exists",
            ));
        }
        self.root.folder(name).map(|_| ())
    }

    /// Deletes mailbox `name` and its messages (not INBOX; its children
    /// stay).
    pub fn delete(&self, name: &str) -> io::Result<()> {
        if name.eq_ignore_ascii_case("INBOX") {
            return Err(other("INBOX cannot be deleted"));
        }
        let folder = self.folder(name)?;
        fs::remove_dir_all(folder.root())
    }

    /// Renames mailbox `from` (and its children) to `to`.
    pub fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        let (from, to) = (
            from.trim_end_matches(DELIMITER),
            to.trim_end_matches(DELIMITER),
        );
        if from.eq_ignore_ascii_case("INBOX") || to.eq_ignore_ascii_case("INBOX") {
            return Err(other("INBOX cannot be renamed here"));
        }
        if !valid_folder_name(to) {
            return Err(other("bad mailbox name"));
        }
        self.folder(from)?;
        if self.folder(to).is_ok() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "mailbox exists",
            ));
        }
        let prefix = format!("{from}{DELIMITER}");
        for name in self.root.folders()? {
            if name == from || name.starts_with(&prefix) {
                let new = format!("{to}{}", &name[from.len()..]);
                fs::rename(
                    self.root.root().join(format!(".{name}")),
                    self.root.root().join(format!(".{new}")),
                )?;
            }
        }
        Ok(())
    }

    /// The messages of `folder`, with UIDs given to new ones (and saved).
    pub fn list(&self, folder: &Maildir) -> io::Result<Listing> {
        let _uidlists = self.uidlists.lock().unwrap_or_else(|e| e.into_inner());
        let files = folder.messages()?;
        let path = folder.root().join(UIDLIST);
        let (mut list, mut dirty) = match read_uidlist(&path) {
            Some(list) => (list, false),
            None => {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_secs();
                let validity = u32::try_from(now % u64::from(u32::MAX)).unwrap_or(1).max(1);
                (
                    UidList {
                        validity,
                        next: 1,
                        uids: HashMap::new(),
                    },
                    true,
                )
            }
        };
        let mut entries = Vec::with_capacity(files.len());
        for file in files {
            let uid = match list.uids.get(&file.unique) {
                Some(&uid) => uid,
                None => {
                    let uid = list.next;
                    list.next = list.next.saturating_add(1);
                    list.uids.insert(file.unique.clone(), uid);
                    dirty = true;
                    uid
                }
            };
            let flags = Flags::from_letters(&file.flags);
            entries.push(Entry {
                uid,
                recent: file.new,
                file,
                flags,
            });
        }
        if list.uids.len() != entries.len() {
            let present: std::collections::HashSet<&str> =
                entries.iter().map(|e| e.file.unique.as_str()).collect();
            list.uids.retain(|u, _| present.contains(u.as_str()));
            dirty = true;
        }
        if dirty {
            write_uidlist(&path, &list)?;
        }
        entries.sort_by_key(|e| e.uid);
        Ok(Listing {
            validity: list.validity,
            next: list.next,
            entries,
        })
    }

    /// Stores a message in `folder` with `flags` and, if given, the
    /// internal date (seconds since the epoch); gives its UID and the
    /// folder's UIDVALIDITY.
    pub fn append(
        &self,
        folder: &Maildir,
        message: &[u8],
        flags: Flags,
        date: Option<i64>,
    ) -> io::Result<(u32, u32)> {
        let unique = folder.deliver(message)?;
        let path = folder.root().join("new").join(&unique);
        if let Some(date) = date {
            let time = if date >= 0 {
                UNIX_EPOCH + std::time::Duration::from_secs(date.unsigned_abs())
            } else {
                UNIX_EPOCH - std::time::Duration::from_secs(date.unsigned_abs())
            };
            fs::File::options()
                .write(true)
                .open(&path)?
                .set_modified(time)?;
        }
        if flags != Flags::default() {
            let file = folder
                .messages()?
                .into_iter()
                .find(|m| m.unique == unique)
                .ok_or_else(|| io::Error::other("delivered message vanished"))?;
            folder.set_flags(&file, &flags.letters())?;
        }
        let listing = self.list(folder)?;
        let uid = listing
            .entries
            .iter()
            .find(|e| e.file.unique == unique)
            .map_or(0, |e| e.uid);
        self.notifier.notify();
        Ok((listing.validity, uid))
    }

    /// Changes a message's flags (moving it to `cur/`); gives the new file.
    pub fn set_flags(&self, folder: &Maildir, entry: &Entry, flags: Flags) -> io::Result<Entry> {
        let file = locate(folder, &entry.file)?;
        let file = folder.set_flags(&file, &flags.letters())?;
        Ok(Entry {
            file,
            flags,
            ..entry.clone()
        })
    }

    /// Moves the `new/` messages of a folder to `cur/` (they stop being
    /// recent for other sessions).
    pub fn take_recent(&self, folder: &Maildir, entries: &mut [Entry]) {
        for e in entries.iter_mut().filter(|e| e.file.new) {
            if let Ok(file) = folder.set_flags(&e.file, &e.flags.letters()) {
                e.file = file;
            }
        }
    }

    /// Removes a message.
    pub fn remove(&self, folder: &Maildir, entry: &Entry) -> io::Result<()> {
        match locate(folder, &entry.file) {
            Ok(file) => folder.remove(&file),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// The bytes of a message as IMAP sends them: bare LF line ends are
    /// sent as CRLF; a file written with CRLF is sent byte for byte.
    pub fn read(&self, folder: &Maildir, entry: &Entry) -> io::Result<Vec<u8>> {
        let bytes = crlf(fs::read(locate(folder, &entry.file)?.path)?);
        if let Ok(mut sizes) = self.sizes.lock() {
            sizes.insert(entry.file.unique.clone(), bytes.len() as u64);
        }
        Ok(bytes)
    }

    /// The size of a message as IMAP sends it (`RFC822.SIZE`): its file's
    /// size when it has CRLF line ends, read once otherwise.
    pub fn size(&self, folder: &Maildir, entry: &Entry) -> u64 {
        if let Some(&n) = self
            .sizes
            .lock()
            .ok()
            .and_then(|s| s.get(&entry.file.unique).copied())
            .as_ref()
        {
            return n;
        }
        self.read(folder, entry)
            .map_or(entry.file.size, |b| b.len() as u64)
    }

    /// Copies messages into `target`; gives the target's UIDVALIDITY and
    /// the new UIDs, in order.
    pub fn copy(
        &self,
        folder: &Maildir,
        entries: &[Entry],
        target: &Maildir,
    ) -> io::Result<(u32, Vec<u32>)> {
        let mut uniques = Vec::new();
        for entry in entries {
            let bytes = fs::read(locate(folder, &entry.file)?.path)?;
            let unique = target.deliver(&bytes)?;
            let mtime = fs::metadata(&entry.file.path)
                .or_else(|_| locate(folder, &entry.file).and_then(|f| fs::metadata(f.path)))
                .and_then(|m| m.modified());
            let new_path = target.root().join("new").join(&unique);
            if let Ok(mtime) = mtime {
                let _ = fs::File::options()
                    .write(true)
                    .open(&new_path)
                    .and_then(|f| f.set_modified(mtime));
            }
            let letters = entry.flags.letters();
            let file = MessageFile {
                path: new_path,
                unique: unique.clone(),
                flags: String::new(),
                size: entry.file.size,
                new: true,
                time: entry.file.time,
            };
            target.set_flags(&file, &letters)?;
            uniques.push(unique);
        }
        let listing = self.list(target)?;
        let uids = uniques
            .iter()
            .map(|u| {
                listing
                    .entries
                    .iter()
                    .find(|e| &e.file.unique == u)
                    .map_or(0, |e| e.uid)
            })
            .collect();
        self.notifier.notify();
        Ok((listing.validity, uids))
    }
}

/// Where a message's file is now: where it was, or, if another session
/// moved it (flags changed, `new/` to `cur/`), found by its unique name.
fn locate(folder: &Maildir, file: &MessageFile) -> io::Result<MessageFile> {
    if file.path.exists() {
        return Ok(file.clone());
    }
    folder
        .messages()?
        .into_iter()
        .find(|m| m.unique == file.unique)
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "message gone"))
}

fn read_uidlist(path: &Path) -> Option<UidList> {
    let text = fs::read_to_string(path).ok()?;
    let mut lines = text.lines();
    let mut head = lines.next()?.split(' ');
    let validity = head.next()?.strip_prefix('V')?.parse().ok()?;
    let next = head.next()?.strip_prefix('N')?.parse().ok()?;
    let mut uids = HashMap::new();
    for line in lines {
        if let Some((uid, unique)) = line.split_once(' ')
            && let Ok(uid) = uid.parse::<u32>()
        {
            uids.insert(unique.to_owned(), uid);
        }
    }
    Some(UidList {
        validity,
        next,
        uids,
    })
}

/// Writes the UID list atomically: a temporary file, synced, renamed over
/// the old one.
fn write_uidlist(path: &Path, list: &UidList) -> io::Result<()> {
    let mut sorted: Vec<(&String, &u32)> = list.uids.iter().collect();
    sorted.sort_by_key(|(_, uid)| **uid);
    let mut text = format!("V{} N{}\n", list.validity, list.next);
    for (unique, uid) in sorted {
        text.push_str(&format!("{uid} {unique}\n"));
    }
    let tmp: PathBuf = path.with_extension(format!("tmp{}", std::process::id()));
    let mut file = fs::File::create(&tmp)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    fs::rename(&tmp, path)
}

/// Matches a mailbox name against a `LIST` pattern (RFC 9051 §6.3.9): `*`
/// matches anything, `%` anything but the delimiter.
pub fn list_matches(pattern: &[u8], name: &[u8]) -> bool {
    // Iterative wildcard matching with backtracking to the last star.
    let (mut p, mut n) = (0usize, 0usize);
    let mut star: Option<(usize, usize, bool)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, n, true));
                p += 1;
            }
            Some(b'%') => {
                star = Some((p, n, false));
                p += 1;
            }
            Some(&c) if c == name[n] => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((sp, sn, any)) if any || name[sn] != DELIMITER as u8 => {
                    star = Some((sp, sn + 1, any));
                    p = sp + 1;
                    n = sn + 1;
                }
                _ => return false,
            },
        }
    }
    pattern[p.min(pattern.len())..]
        .iter()
        .all(|&c| c == b'*' || c == b'%')
}
