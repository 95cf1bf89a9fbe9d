//! Exporting a case for someone outside the server (counsel, an authority): a printable page
//! of the whole case, and a bundle: a tar of standard age files sealed to a recipient the
//! exporter names, with a manifest, that the reference `age` tool opens offline.
//!
//! Nothing in the bundle is readable without the recipient's identity except the manifest,
//! which holds only what the server keeps in clear anyway (case number, channel, sizes,
//! checksums). File names are content: they are inside the sealed case document and page.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom};

use serde::Serialize;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::access::Officer;
use super::admin::{open_for, Granter};
use super::casework::{history_of, read_case, HistoryEntry, OfficerCaseView};
use super::files::Download;
use super::{now, CaseError, Cases};
use crate::audit::Event;
use crate::crypto::{keys, seal, SecretKey};
use crate::store::blobs::Blobs;
use crate::store::cases::{self, KeyKind};
use crate::store::{audit, Store};

/// The format of the sealed case document, so a reader can tell versions apart.
const FORMAT: &str = "sealbox-case-export/1";

/// Who opens the case for an export, owned so it can move to a blocking task.
pub enum Exporter {
    Officer(Officer),
    /// The organisation's recovery identity, at the command line.
    Recovery(SecretKey),
}

impl Exporter {
    fn granter(&self) -> Granter<'_> {
        match self {
            Exporter::Officer(o) => Granter::Officer(o),
            Exporter::Recovery(k) => Granter::Recovery(k),
        }
    }

    fn event(&self, action: &'static str) -> Event {
        self.granter().event(action)
    }

    fn describe(&self) -> String {
        match self {
            Exporter::Officer(o) => format!("{} <{}>", o.name, o.email),
            Exporter::Recovery(_) => "the organisation's recovery identity".into(),
        }
    }

    /// Handlers' history leaves out who read the case, as on the case page; admins and the
    /// recovery identity see every reading.
    fn sees_readings(&self) -> bool {
        match self {
            Exporter::Officer(o) => o.is_admin,
            Exporter::Recovery(_) => true,
        }
    }
}

/// A case opened for export, with what its attachments need.
pub struct Opened {
    pub case: OfficerCaseView,
    pub history: Vec<HistoryEntry>,
    attachments: Vec<(String, KeyKind)>,
    case_key: SecretKey,
    staff_key: SecretKey,
}

/// Renders the printable page of a case in a bundle: `entries` names each file's place in
/// the tar; the last argument says who exported it.
pub type Render = Box<
    dyn FnOnce(&OfficerCaseView, &[HistoryEntry], &[String], &str) -> Result<String, CaseError>
        + Send,
>;

#[derive(Serialize)]
struct CaseDocument<'a> {
    format: &'static str,
    exported_at: i64,
    exported_by: String,
    case: &'a OfficerCaseView,
    history: &'a [HistoryEntry],
    /// Where each file of `case.files` is in the bundle, in the same order.
    file_entries: &'a [String],
}

#[derive(Serialize)]
struct Manifest<'a> {
    format: &'static str,
    case_number: i64,
    channel: &'a str,
    exported_at: i64,
    recipient: &'a str,
    how_to_open: &'static str,
    entries: &'a [ManifestEntry],
}

#[derive(Serialize)]
struct ManifestEntry {
    path: String,
    contents: &'static str,
    size: u64,
    sha256: String,
}

fn recipient_of(to: &str) -> Result<String, CaseError> {
    let to = to.trim();
    keys::recipient(to).map_err(|_| {
        CaseError::invalid(
            "recipient",
            "give an age public key (age1…) to seal the export to",
        )
    })?;
    Ok(to.to_owned())
}

/// Opens a case for `by`; `Forbidden` when they hold no grant for it.
fn open(
    s: &Store,
    channels: &super::Channels,
    by: &Exporter,
    case: &str,
) -> Result<Opened, CaseError> {
    let record =
        cases::find(s, case)?.ok_or_else(|| CaseError::NotFound("there is no such case".into()))?;
    let Some((case_key, staff_key)) = open_for(s, &by.granter(), &record.id) else {
        return Err(CaseError::Forbidden(match by {
            Exporter::Officer(_) => "you may not open this case".into(),
            Exporter::Recovery(_) => "this identity cannot open the case: it has no recovery \
                                      grant, or the identity is not the configured one"
                .into(),
        }));
    };
    let history = history_of(s, &record.id, by.sees_readings())?;
    // An export never carries the reporter's identity: handing it on is a disclosure, and
    // disclosures go through a custodian, one handler at a time. It is not even opened.
    let case = read_case(
        s,
        channels,
        record,
        &case_key,
        &staff_key,
        None,
        crate::i18n::Lang::default(),
    )?;
    // Taken from the case as read, so the page, the data and the entries agree.
    let attachments = case
        .files
        .iter()
        .map(|f| {
            let key = if f.internal {
                KeyKind::Staff
            } else {
                KeyKind::Case
            };
            (f.id.clone(), key)
        })
        .collect();
    Ok(Opened {
        case,
        history,
        attachments,
        case_key,
        staff_key,
    })
}

impl Cases {
    /// The whole case for its printable page, recorded in the audit log as an export.
    pub async fn printable(&self, officer: &Officer, case_id: &str) -> Result<Opened, CaseError> {
        let by = Exporter::Officer(officer.clone());
        let case_id = case_id.to_owned();
        let audit_key = self.audit.clone();
        let channels = self.channels();
        self.store
            .run(move |s| {
                let opened = open(s, &channels, &by, &case_id)?;
                let event = by
                    .event("case_exported")
                    .case(&opened.case.id)
                    .detail("printable page");
                audit::record(s, &audit_key, &event, now())?;
                Ok(opened)
            })
            .await
    }

    /// The officer's own identity as a standard age file sealed with their password (scrypt),
    /// so bundles sealed to their key open offline: `age -d` asks for the password. Recorded
    /// in the audit log.
    pub async fn sealed_own_key(&self, officer: &Officer) -> Result<Vec<u8>, CaseError> {
        let id = officer.id.clone();
        let audit_key = self.audit.clone();
        self.store
            .run(move |s| {
                let creds = crate::store::officers::credentials(s, &id)?
                    .ok_or(CaseError::SignInRejected)?;
                let event = Event::by_officer(&id, "key_downloaded");
                audit::record(s, &audit_key, &event, now())?;
                Ok(creds.sealed_key)
            })
            .await
    }

    /// A bundle of the case sealed to `to` (an `age1…` public key): a tar streamed from an
    /// unnamed temporary file, so no part of it outlives the download, recorded in the audit
    /// log once it is whole.
    pub async fn export_bundle(
        &self,
        by: Exporter,
        case: &str,
        to: &str,
        render: Render,
    ) -> Result<Download, CaseError> {
        let to = recipient_of(to)?;
        let case = case.to_owned();
        let channels = self.channels();
        let (by, opened) = self
            .store
            .run(move |s| {
                let opened = open(s, &channels, &by, &case)?;
                Ok::<_, CaseError>((by, opened))
            })
            .await?;
        let blobs = self.files.blobs.clone();
        let recipient = to.clone();
        let exported_by = by.describe();
        let (opened, tar, size, count) = tokio::task::spawn_blocking(move || {
            let (tar, size, count) =
                write_bundle(&blobs, &opened, &recipient, exported_by, render)?;
            Ok::<_, CaseError>((opened, tar, size, count))
        })
        .await
        .map_err(CaseError::Worker)??;
        let audit_key = self.audit.clone();
        let case_id = opened.case.id.clone();
        let number = opened.case.number;
        drop(opened);
        self.store
            .run(move |s| {
                let event = by
                    .event("case_exported")
                    .case(&case_id)
                    .detail(format!("bundle of {count} files sealed to {to}"));
                audit::record(s, &audit_key, &event, now())
            })
            .await?;
        Ok(Download {
            name: format!("case-{number}.tar"),
            media_type: "application/x-tar".into(),
            size,
            reader: Box::new(BufReader::with_capacity(256 * 1024, tar)),
        })
    }
}

/// A reader that hashes what passes through it.
struct Hashing<R> {
    inner: R,
    hash: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

struct Bundle {
    tar: tar::Builder<BufWriter<File>>,
    prefix: String,
    at: u64,
    entries: Vec<ManifestEntry>,
}

impl Bundle {
    fn add(
        &mut self,
        path: &str,
        contents: &'static str,
        size: u64,
        data: impl Read,
    ) -> std::io::Result<()> {
        let mut header = tar::Header::new_ustar();
        header.set_size(size);
        header.set_mode(0o644);
        header.set_mtime(self.at);
        let mut reader = Hashing {
            inner: data,
            hash: Sha256::new(),
        };
        self.tar
            .append_data(&mut header, format!("{}/{path}", self.prefix), &mut reader)?;
        self.entries.push(ManifestEntry {
            path: path.to_owned(),
            contents,
            size,
            sha256: format!("{:x}", reader.hash.finalize()),
        });
        Ok(())
    }

    fn add_bytes(
        &mut self,
        path: &str,
        contents: &'static str,
        data: &[u8],
    ) -> std::io::Result<()> {
        self.add(path, contents, data.len() as u64, data)
    }
}

fn io(e: std::io::Error) -> CaseError {
    tracing::error!(error = %e, "an export could not be written");
    CaseError::Export(e)
}

/// Writes the bundle into an unnamed temporary file beside the attachments and returns it
/// rewound, with its size and how many attachments it holds. Each attachment is decrypted
/// and sealed again to `to` as a stream, through a second unnamed file (a tar entry's size
/// comes before its data), so no file is ever held in memory.
fn write_bundle(
    blobs: &Blobs,
    opened: &Opened,
    to: &str,
    exported_by: String,
    render: Render,
) -> Result<(File, u64, usize), CaseError> {
    let at = now();
    let out = tempfile::tempfile_in(blobs.dir()).map_err(io)?;
    let mut bundle = Bundle {
        tar: tar::Builder::new(BufWriter::with_capacity(256 * 1024, out)),
        prefix: format!("case-{}", opened.case.number),
        at: at.max(0) as u64,
        entries: Vec::new(),
    };
    let mut file_entries = Vec::new();
    for (index, (id, key)) in opened.attachments.iter().enumerate() {
        let key = match key {
            KeyKind::Case => &opened.case_key,
            KeyKind::Staff => &opened.staff_key,
        };
        let path = format!("files/{:03}.age", index + 1);
        let mut resealed = tempfile::tempfile_in(blobs.dir()).map_err(io)?;
        {
            let source = blobs.open_blob(id).map_err(io)?;
            let mut plain = seal::open_stream(BufReader::with_capacity(64 * 1024, source), key)?;
            seal::seal_into(
                BufWriter::with_capacity(64 * 1024, &mut resealed),
                to,
                |sealed| std::io::copy(&mut plain, sealed).map(|_| ()),
            )?;
        }
        let size = resealed.seek(SeekFrom::End(0)).map_err(io)?;
        resealed.rewind().map_err(io)?;
        bundle
            .add(&path, "attachment", size, BufReader::new(resealed))
            .map_err(io)?;
        file_entries.push(path);
    }
    let page = Zeroizing::new(render(
        &opened.case,
        &opened.history,
        &file_entries,
        &exported_by,
    )?);
    // Padded like everything sealed here, so the sizes in the manifest say little.
    let sealed_page = seal::seal_padded(page.as_bytes(), &[to])?;
    bundle
        .add_bytes("case.html.age", "printable case", &sealed_page)
        .map_err(io)?;
    let document = Zeroizing::new(
        serde_json::to_vec_pretty(&CaseDocument {
            format: FORMAT,
            exported_at: at,
            exported_by,
            case: &opened.case,
            history: &opened.history,
            file_entries: &file_entries,
        })
        .map_err(|source| CaseError::Document {
            what: "case document",
            source,
        })?,
    );
    let sealed_document = seal::seal_padded(&document, &[to])?;
    bundle
        .add_bytes("case.json.age", "case data", &sealed_document)
        .map_err(io)?;
    let sums: String = bundle
        .entries
        .iter()
        .map(|e| format!("{}  {}\n", e.sha256, e.path))
        .collect();
    bundle
        .add_bytes("SHA256SUMS", "checksums", sums.as_bytes())
        .map_err(io)?;
    let manifest = serde_json::to_vec_pretty(&Manifest {
        format: FORMAT,
        case_number: opened.case.number,
        channel: &opened.case.channel,
        exported_at: at,
        recipient: to,
        how_to_open: "age -d -i YOUR-IDENTITY-FILE case.html.age > case.html (and the same \
                      for case.json.age and each files/*.age); check with sha256sum -c SHA256SUMS",
        entries: &bundle.entries,
    })
    .map_err(|source| CaseError::Document {
        what: "manifest",
        source,
    })?;
    bundle
        .add_bytes("manifest.json", "manifest", &manifest)
        .map_err(io)?;
    let count = file_entries.len();
    let mut out = bundle
        .tar
        .into_inner()
        .map_err(io)?
        .into_inner()
        .map_err(|e| io(e.into_error()))?;
    let size = out.seek(SeekFrom::End(0)).map_err(io)?;
    out.rewind().map_err(io)?;
    Ok((out, size, count))
}
