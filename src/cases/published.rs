//! Channels as published: every definition each channel had is stored, so a case is shown
//! with the questions it was asked. `sealbox.toml` (or the built-in channels) is the source
//! until an admin publishes a channel in the browser; from then on the database is, and a
//! channel the file defines differently is reported at start-up, not applied. `sealbox
//! channels use-file` makes the file the source again from the next start.

use serde::Serialize;

use super::access::Officer;
use super::channels::{builtin, Channel, Channels};
use super::{now, CaseError, Cases};
use crate::audit::{Actor, Event};
use crate::config::ChannelConfig;
use crate::store::channels::{self as stored, ChannelVersion};
use crate::store::Store;

/// A channel's definition as published, for an admin to edit.
#[derive(Debug, Clone, Serialize)]
pub struct Definition {
    /// The `[[channels]]` entry.
    pub config: ChannelConfig,
    pub version: u32,
    /// `file` or `browser`.
    pub source: String,
    pub published_at: i64,
    /// It takes new cases (a channel dropped from the file takes none, but is kept).
    pub active: bool,
}

/// How a publication went.
pub enum Published {
    /// A new channel, at version 1.
    Created(Definition),
    /// A new version of a channel.
    Changed(Definition),
    /// The same definition as the current one: nothing stored.
    Unchanged(Definition),
}

fn parse(v: &ChannelVersion) -> Result<ChannelConfig, CaseError> {
    serde_json::from_str(&v.definition).map_err(|source| CaseError::Document {
        what: "stored channel definition",
        source,
    })
}

fn same(stored: &ChannelVersion, config: &ChannelConfig) -> bool {
    parse(stored)
        .ok()
        .and_then(|s| serde_json::to_value(s).ok())
        .zip(serde_json::to_value(config).ok())
        .is_some_and(|(a, b)| a == b)
}

/// A channel's last stored version.
fn latest<'a>(versions: &'a [ChannelVersion], id: &str) -> Option<&'a ChannelVersion> {
    versions.iter().rev().find(|v| v.channel_id == id)
}

fn definition_json(config: &ChannelConfig) -> Result<String, CaseError> {
    serde_json::to_string(config).map_err(|source| CaseError::Document {
        what: "channel definition",
        source,
    })
}

/// The channels at start-up. While the file is the source, each of its channels that differs
/// from its last stored version is stored as a new one; once the browser is, the stored
/// channels are used and a file channel that differs is reported.
pub(super) fn load(store: &Store, configured: &[ChannelConfig]) -> Result<Channels, CaseError> {
    // The file is checked even when the browser is the source: a broken file stops the start.
    Channels::from_config(configured)?;
    let from_file = if configured.is_empty() {
        builtin()
    } else {
        configured.to_vec()
    };
    let browser = stored::browser_is_source(store)?;
    let mut versions = stored::all(store)?;
    if browser {
        for config in configured {
            if !latest(&versions, &config.id).is_some_and(|v| same(v, config)) {
                tracing::warn!(
                    channel = %config.id,
                    "sealbox.toml defines this channel differently from the channels published \
                     in the browser, which are used; `sealbox channels use-file` makes the file \
                     the source again"
                );
            }
        }
    } else {
        for config in &from_file {
            if !latest(&versions, &config.id).is_some_and(|v| same(v, config)) {
                stored::publish_from_file(store, &config.id, &definition_json(config)?, now())?;
            }
        }
        versions = stored::all(store)?;
    }
    let history = versions
        .iter()
        .filter_map(|v| {
            let channel = parse(v).and_then(|c| Ok(Channel::from_config(c)?));
            match channel {
                Ok(mut c) => {
                    c.version = v.version;
                    Some(c)
                }
                Err(e) => {
                    tracing::error!(channel = %v.channel_id, version = v.version, error = %e,
                        "a stored channel version cannot be read; its cases show their answers \
                         under the field ids");
                    None
                }
            }
        })
        .collect::<Vec<_>>();
    let active_ids: Vec<String> = if browser {
        let listed = stored::active(store)?.unwrap_or_default();
        serde_json::from_str(&listed).unwrap_or_else(|e| {
            tracing::error!(error = %e, "the list of channels that take cases cannot be read: \
                none does; publish a channel in the browser, or run `sealbox channels use-file`");
            Vec::new()
        })
    } else {
        // Channels published in the browser and absent from the file take no cases now.
        for v in versions.iter().filter(|v| v.source == "browser") {
            if !from_file.iter().any(|c| c.id == v.channel_id)
                && latest(&versions, &v.channel_id).map(|l| l.version) == Some(v.version)
            {
                tracing::warn!(channel = %v.channel_id, "this channel was published in the \
                    browser and is not in the configuration file: it takes no cases now, and \
                    its cases keep their questions");
            }
        }
        from_file.iter().map(|c| c.id.clone()).collect()
    };
    let active = active_ids
        .iter()
        .filter_map(|id| {
            let version = latest(&versions, id)?.version;
            history
                .iter()
                .find(|c| &c.id == id && c.version == version)
                .cloned()
        })
        .collect();
    Ok(Channels::published(active, history))
}

impl Cases {
    /// The current definition of every channel stored, for an admin.
    pub async fn channel_definitions(&self, by: &Officer) -> Result<Vec<Definition>, CaseError> {
        Self::require_admin(by)?;
        let channels = self.channels();
        let versions = self
            .store
            .run(|s| Ok::<_, CaseError>(stored::all(s)?))
            .await?;
        let mut out: Vec<Definition> = Vec::new();
        for v in versions.iter().rev() {
            if out.iter().any(|d| d.config.id == v.channel_id) {
                continue;
            }
            out.push(Definition {
                config: parse(v)?,
                version: v.version,
                source: v.source.clone(),
                published_at: v.published_at,
                active: channels.get(&v.channel_id).is_some(),
            });
        }
        out.reverse();
        Ok(out)
    }

    /// The current definition of one channel, for an admin.
    pub async fn channel_definition(
        &self,
        by: &Officer,
        id: &str,
    ) -> Result<Definition, CaseError> {
        self.channel_definitions(by)
            .await?
            .into_iter()
            .find(|d| d.config.id == id)
            .ok_or_else(|| CaseError::NotFound("there is no such channel".into()))
    }

    /// Checks a definition for publication as `id`, without publishing it (the editor's
    /// preview, and the first step of [`Cases::publish_channel`]): checked as the
    /// configuration file is, and against the channel's earlier versions. A field id published
    /// as one type never comes back as another, so no case's answer is shown under a question
    /// it was not asked; and a channel keeps its kind. (These rules hold whether or not cases
    /// answered: a refusal that depended on them would tell an admin that a case exists,
    /// perhaps one that excluded them.)
    pub fn check_channel(
        &self,
        by: &Officer,
        id: &str,
        config: ChannelConfig,
    ) -> Result<Channel, CaseError> {
        Self::require_admin(by)?;
        if config.id != id {
            return Err(CaseError::invalid(
                "id",
                &format!("the id in the definition must be the channel's own, {id:?}"),
            ));
        }
        let checked = Channel::from_config(config)
            .map_err(|e| CaseError::invalid("channel", &e.to_string()))?;
        let channels = self.channels();
        let earlier: Vec<&Channel> = channels.versions(id).collect();
        if earlier.last().is_some_and(|last| last.kind != checked.kind) {
            return Err(CaseError::invalid(
                "kind",
                "a channel's kind cannot change (who may report, and whether they may leave \
                 an address, depend on it): make a new channel instead",
            ));
        }
        for field in &checked.fields {
            let before = earlier
                .iter()
                .flat_map(|c| c.fields.iter().map(move |f| (c.version, f)))
                .find(|(_, f)| f.id == field.id && f.kind != field.kind);
            if let Some((version, f)) = before {
                return Err(CaseError::invalid(
                    &format!("fields.{}", field.id),
                    &format!(
                        "field {:?} was a {} question in version {version}: a question keeps \
                         its type, so remove it (cases keep it) and ask the new one under a \
                         new id",
                        field.id,
                        f.kind.as_str()
                    ),
                ));
            }
        }
        Ok(checked)
    }

    /// Publishes a channel from the browser or the API: checked ([`Cases::check_channel`]),
    /// stored as its next version (audited), and used from the next request on. With
    /// `expected`, refused ([`CaseError::Stale`]) unless that is still the current version.
    /// Publications run one at a time, so each is checked against the one before it.
    pub async fn publish_channel(
        &self,
        by: &Officer,
        id: &str,
        config: ChannelConfig,
        expected: Option<u32>,
    ) -> Result<Published, CaseError> {
        let _one_at_a_time = self.publishing.lock().await;
        self.check_channel(by, id, config.clone())?;
        let channels = self.channels();
        let current = channels.versions(id).last().map(|c| c.version);
        if expected.is_some() && expected != current {
            return Err(CaseError::Stale(
                "the channel was published since you read it: read it again".into(),
            ));
        }
        let definition = definition_json(&config)?;
        let channel_id = id.to_owned();
        let officer_id = by.id.clone();
        let audit = self.audit.clone();
        let created = current.is_none();
        let mut active_ids: Vec<&str> = channels.all().iter().map(|c| c.id.as_str()).collect();
        if !active_ids.contains(&id) {
            active_ids.push(id);
        }
        let active = serde_json::to_string(&active_ids).map_err(|source| CaseError::Document {
            what: "channel list",
            source,
        })?;
        let changed = self
            .store
            .run(move |s| {
                let versions = stored::all(s)?;
                let unchanged = latest(&versions, &channel_id).is_some_and(|v| same(v, &config));
                // Publishing in the browser makes it the source even of an unchanged channel.
                if stored::browser_is_source(s)? && unchanged {
                    return Ok::<_, CaseError>(false);
                }
                let event = Event::by_officer(&officer_id, "channel_published")
                    .detail(format!("{channel_id} from the browser"));
                stored::publish_from_browser(
                    s,
                    &audit,
                    &event,
                    &channel_id,
                    &definition,
                    &active,
                    now(),
                )?;
                Ok(true)
            })
            .await?;
        self.reload_channels().await?;
        let definition = self.channel_definition(by, id).await?;
        Ok(match (created, changed) {
            (true, _) => Published::Created(definition),
            (false, true) => Published::Changed(definition),
            (false, false) => Published::Unchanged(definition),
        })
    }

    /// Reads the channels from the database again, after a publication.
    async fn reload_channels(&self) -> Result<(), CaseError> {
        let fresh = self.store.run(move |s| load(s, &[])).await?;
        *self.channels.write().unwrap_or_else(|e| e.into_inner()) = std::sync::Arc::new(fresh);
        Ok(())
    }

    /// Makes `sealbox.toml` the channels' source again from the next start (the command
    /// line's `sealbox channels use-file`); returns whether the browser was the source.
    pub async fn channels_from_file(&self) -> Result<bool, CaseError> {
        let audit = self.audit.clone();
        self.store
            .run(move |s| {
                let event =
                    Event::new(Actor::Operator, "channels_source").detail("the configuration file");
                Ok::<_, CaseError>(stored::use_file(s, &audit, &event, now())?)
            })
            .await
    }
}
