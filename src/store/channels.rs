//! `channel_versions`: every definition each channel was published with, and which source
//! (the file or the browser) the installation takes its channels from.

use rusqlite::{params, Transaction};

use super::{audit, settings, Store, StoreError};
use crate::audit::{AuditKey, Event};

/// The setting that says the browser, not `sealbox.toml`, is the channels' source.
const SOURCE_KEY: &str = "channels_source";
/// The channels that take cases while the browser is the source: a JSON list of ids.
const ACTIVE_KEY: &str = "channels_active";

/// A stored definition: the `[[channels]]` entry as JSON.
pub struct ChannelVersion {
    pub channel_id: String,
    pub version: u32,
    pub definition: String,
    pub source: String,
    pub published_at: i64,
}

/// Every version of every channel: channels in the order they first appeared, each channel's
/// versions oldest first.
pub fn all(store: &Store) -> Result<Vec<ChannelVersion>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare(
        "SELECT v.channel_id, v.version, v.definition, v.source, v.published_at
         FROM channel_versions v
         ORDER BY (SELECT MIN(f.rowid) FROM channel_versions f
                   WHERE f.channel_id = v.channel_id), v.version",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(ChannelVersion {
                channel_id: r.get(0)?,
                version: r.get(1)?,
                definition: r.get(2)?,
                source: r.get(3)?,
                published_at: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Stores the next version of a channel; cases of it from before versions were kept are
/// taken to have been submitted under the first. Returns the version number.
pub fn publish(
    tx: &Transaction<'_>,
    channel_id: &str,
    definition: &str,
    source: &str,
    at: i64,
) -> Result<u32, StoreError> {
    let version: u32 = tx.query_row(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM channel_versions WHERE channel_id = ?1",
        [channel_id],
        |r| r.get(0),
    )?;
    // The day only, like every time kept in clear (the audit log has the moment).
    tx.execute(
        "INSERT INTO channel_versions (channel_id, version, definition, source, published_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![channel_id, version, definition, source, super::day(at)],
    )?;
    tx.execute(
        "UPDATE cases SET channel_version = (SELECT MIN(version) FROM channel_versions
             WHERE channel_id = ?1)
         WHERE channel_id = ?1 AND channel_version IS NULL",
        [channel_id],
    )?;
    Ok(version)
}

/// Stores a channel of the configuration file at start-up. Not audited: the file is the
/// operator's, and its changes are theirs to track.
pub fn publish_from_file(
    store: &Store,
    channel_id: &str,
    definition: &str,
    at: i64,
) -> Result<u32, StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction()?;
    let version = publish(&tx, channel_id, definition, "file", at)?;
    tx.commit()?;
    Ok(version)
}

/// Publishes from the browser: the browser becomes the source of every channel, and
/// `active` (ids as a JSON list) the channels that take cases.
pub fn publish_from_browser(
    store: &Store,
    key: &AuditKey,
    event: &Event,
    channel_id: &str,
    definition: &str,
    active: &str,
    at: i64,
) -> Result<u32, StoreError> {
    audit::audited(store, key, event, at, |tx| {
        let version = publish(tx, channel_id, definition, "browser", at)?;
        settings::put(tx, SOURCE_KEY, "browser")?;
        settings::put(tx, ACTIVE_KEY, active)?;
        Ok(version)
    })
}

/// The channels that take cases while the browser is the source (a JSON list of ids).
pub fn active(store: &Store) -> Result<Option<String>, StoreError> {
    settings::get(store, ACTIVE_KEY)
}

/// Whether channels were published in the browser since the file was last made the source.
pub fn browser_is_source(store: &Store) -> Result<bool, StoreError> {
    Ok(settings::get(store, SOURCE_KEY)?.as_deref() == Some("browser"))
}

/// Makes `sealbox.toml` the source again (from the next start); returns whether it was not.
pub fn use_file(store: &Store, key: &AuditKey, event: &Event, at: i64) -> Result<bool, StoreError> {
    audit::audited(store, key, event, at, |tx| {
        let n = tx.execute("DELETE FROM settings WHERE key = ?1", [SOURCE_KEY])?;
        tx.execute("DELETE FROM settings WHERE key = ?1", [ACTIVE_KEY])?;
        Ok(n > 0)
    })
}
