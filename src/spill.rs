//! Parking the contacts on disk while the matching stages run.
//!
//! Blocking, comparison, scoring and clustering read only the match keys; the contacts
//! (about 0.4 KB per record) wait idle for survivorship. On lists of many millions
//! they are a third of what those stages would otherwise hold, so above
//! `spill-contacts-above` records they are written to an unnamed temporary file in the
//! output folder (removed by the system however the run ends) and read back for
//! survivorship.
//!
//! The format is private to one run: little-endian lengths and bytes, in batches that
//! are encoded and decoded on all cores.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::model::{Contact, Email, Phone, PhoneKind};

/// Contacts encoded per parallel task.
const BATCH: usize = 1 << 14;

/// Contacts written to a temporary file; [`Parked::restore`] reads them back.
pub struct Parked {
    file: File,
    /// Byte length of each batch, in order.
    batches: Vec<usize>,
    count: usize,
    dir: PathBuf,
}

/// Contacts being written to an unnamed temporary file, a slice at a time, so that
/// they can be parked as they are made instead of all being held first.
pub struct Parker {
    w: BufWriter<File>,
    /// Byte length of each batch written so far, in order.
    batches: Vec<usize>,
    count: usize,
    dir: PathBuf,
}

impl Parker {
    /// An empty temporary file in `dir` (created if missing).
    pub fn new(dir: &Path) -> Result<Parker> {
        std::fs::create_dir_all(dir).map_err(|e| write_error(dir, e))?;
        let file = tempfile::tempfile_in(dir).map_err(|e| write_error(dir, e))?;
        Ok(Parker {
            w: BufWriter::with_capacity(1 << 20, file),
            batches: Vec::new(),
            count: 0,
            dir: dir.to_path_buf(),
        })
    }

    /// Appends `contacts`, encoded on all cores.
    pub fn add(&mut self, contacts: &[Contact]) -> Result<()> {
        let threads = rayon::current_num_threads().max(1);
        for wave in contacts.chunks(BATCH * threads * 2) {
            let encoded: Vec<Vec<u8>> = wave
                .par_chunks(BATCH)
                .map(|batch| {
                    let mut buf = Vec::with_capacity(batch.len() * 256);
                    for c in batch {
                        encode(c, &mut buf);
                    }
                    buf
                })
                .collect();
            for buf in encoded {
                self.w
                    .write_all(&buf)
                    .map_err(|e| write_error(&self.dir, e))?;
                self.batches.push(buf.len());
            }
        }
        self.count += contacts.len();
        Ok(())
    }

    /// Everything added, ready to be read back.
    pub fn finish(self) -> Result<Parked> {
        let dir = self.dir;
        let file = self
            .w
            .into_inner()
            .map_err(|e| write_error(&dir, e.into_error()))?;
        Ok(Parked {
            file,
            batches: self.batches,
            count: self.count,
            dir,
        })
    }
}

fn write_error(dir: &Path, e: std::io::Error) -> Error {
    Error::output(
        dir,
        format!("cannot write the temporary contacts file ({e}); check free space"),
    )
}

impl Parked {
    /// Reads the contacts back, in their order.
    pub fn restore(mut self) -> Result<Vec<Contact>> {
        let dir = self.dir.clone();
        let fail = |what: String| {
            Error::output(
                &dir,
                format!("cannot read back the temporary contacts file ({what}); check the disk"),
            )
        };
        self.file
            .seek(SeekFrom::Start(0))
            .map_err(|e| fail(e.to_string()))?;
        let mut r = BufReader::with_capacity(1 << 20, &mut self.file);
        let mut out: Vec<Contact> = Vec::with_capacity(self.count);
        let threads = rayon::current_num_threads().max(1);
        for wave in self.batches.chunks(threads * 2) {
            let mut bufs = Vec::with_capacity(wave.len());
            for &len in wave {
                let mut buf = vec![0u8; len];
                r.read_exact(&mut buf).map_err(|e| fail(e.to_string()))?;
                bufs.push(buf);
            }
            let decoded: Vec<Option<Vec<Contact>>> =
                bufs.par_iter().map(|b| decode_all(b)).collect();
            for batch in decoded {
                out.extend(batch.ok_or_else(|| fail("it was changed or cut short".into()))?);
            }
        }
        if out.len() != self.count {
            return Err(fail("it was changed or cut short".into()));
        }
        Ok(out)
    }
}

fn put_str(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(&(s.len() as u32).to_le_bytes());
    buf.extend_from_slice(s.as_bytes());
}

fn encode(c: &Contact, buf: &mut Vec<u8>) {
    let (text, ends) = c.packed_text();
    put_str(buf, text);
    for e in ends {
        buf.extend_from_slice(&e.to_le_bytes());
    }
    buf.extend_from_slice(&(c.emails().len() as u32).to_le_bytes());
    for e in c.emails() {
        put_str(buf, &e.address);
        buf.push(u8::from(e.valid));
    }
    buf.extend_from_slice(&(c.phones().len() as u32).to_le_bytes());
    for p in c.phones() {
        put_str(buf, &p.number);
        put_str(buf, &p.extension);
        buf.extend_from_slice(&p.national.to_le_bytes());
        buf.push(p.kind as u8);
    }
    buf.extend_from_slice(&(c.custom().len() as u32).to_le_bytes());
    for (i, v) in c.custom() {
        buf.extend_from_slice(&i.to_le_bytes());
        put_str(buf, v);
    }
    put_str(buf, c.address().country_code.unwrap_or(""));
    buf.push(u8::from(c.unsubscribed()) | u8::from(c.bounced()) << 1);
}

/// A cursor over one batch; `None` on anything short or malformed.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn str(&mut self) -> Option<&'a str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }
}

fn decode_all(buf: &[u8]) -> Option<Vec<Contact>> {
    let mut cur = Cursor(buf);
    let mut out = Vec::with_capacity(BATCH);
    while !cur.0.is_empty() {
        out.push(decode(&mut cur)?);
    }
    Some(out)
}

fn decode(cur: &mut Cursor<'_>) -> Option<Contact> {
    let text = cur.str()?;
    let mut ends = [0u32; Contact::TEXT_FIELDS];
    for e in &mut ends {
        *e = cur.u32()?;
    }
    let n = cur.u32()? as usize;
    let mut emails = Vec::with_capacity(n.min(64));
    for _ in 0..n {
        let address = cur.str()?.to_string();
        emails.push(Email {
            address,
            valid: cur.u8()? != 0,
        });
    }
    let n = cur.u32()? as usize;
    let mut phones = Vec::with_capacity(n.min(64));
    for _ in 0..n {
        let number = cur.str()?.to_string();
        let extension = cur.str()?.to_string();
        let national = cur.u64()?;
        let kind = match cur.u8()? {
            0 => PhoneKind::Work,
            1 => PhoneKind::Mobile,
            2 => PhoneKind::Home,
            3 => PhoneKind::Fax,
            _ => return None,
        };
        phones.push(Phone {
            number,
            extension,
            national,
            kind,
        });
    }
    let n = cur.u32()? as usize;
    let mut custom = Vec::with_capacity(n.min(64));
    for _ in 0..n {
        let i = cur.u16()?;
        custom.push((i, cur.str()?.into()));
    }
    let code = cur.str()?;
    let country_code = if code.is_empty() {
        None
    } else {
        Some(crate::normalize::address::iso_alpha2(code)?)
    };
    let flags = cur.u8()?;
    Contact::unpack(
        text,
        ends,
        emails,
        phones,
        custom,
        country_code,
        (flags & 1 != 0, flags & 2 != 0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Address, ContactValues, PersonName};

    fn sample(i: usize) -> Contact {
        ContactValues {
            name: PersonName {
                prefix: "Dr.".into(),
                given: format!("Zoë {i}"),
                family: "Ñúñez-Łukasiewicz".into(),
                ..Default::default()
            },
            emails: vec![
                Email {
                    address: format!("zoe{i}@example.org"),
                    valid: true,
                },
                Email {
                    address: "not an address".into(),
                    valid: false,
                },
            ],
            phones: vec![Phone {
                number: "+442079460958".into(),
                extension: "12".into(),
                national: 2079460958,
                kind: PhoneKind::Fax,
            }],
            company: "株式会社サンプル".into(),
            address: Address {
                street: "1 Rue de l'Église".into(),
                city: "Lyon".into(),
                country: "France".into(),
                country_code: Some("FR"),
                ..Default::default()
            },
            notes: "line one\nline two".into(),
            unsubscribed: i.is_multiple_of(2),
            bounced: i.is_multiple_of(3),
            custom: vec![(3, "gold".into())],
            record_key: i.is_multiple_of(5).then(|| format!("K{i}")),
            ..Default::default()
        }
        .into()
    }

    #[test]
    fn parked_contacts_come_back_the_same_and_in_order() {
        let dir = tempfile::tempdir().expect("temp dir");
        // More than one batch, and an empty contact among them.
        let mut contacts: Vec<Contact> = (0..BATCH + 7).map(sample).collect();
        contacts[5] = Contact::default();
        let want: Vec<String> = contacts.iter().map(|c| format!("{c:?}")).collect();
        let mut parker = Parker::new(dir.path()).expect("temporary file");
        // Added in two slices, the first ending inside a batch.
        let (head, tail) = contacts.split_at(BATCH - 3);
        parker.add(head).expect("add");
        parker.add(tail).expect("add");
        let parked = parker.finish().expect("finish");
        // The file is unnamed: nothing is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 0);
        let got: Vec<String> = parked
            .restore()
            .expect("restore")
            .iter()
            .map(|c| format!("{c:?}"))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_cut_short_batch_is_refused() {
        let mut buf = Vec::new();
        encode(&sample(1), &mut buf);
        assert!(decode_all(&buf).is_some());
        for cut in [1, 10, buf.len() - 1] {
            assert!(decode_all(&buf[..cut]).is_none(), "cut at {cut}");
        }
    }
}
