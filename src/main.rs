//! The `sealbox` command line: the server and the operator's tools.

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;
use zeroize::Zeroizing;

use sealbox::audit::Actor;
use sealbox::cases::admin::Granter;
use sealbox::cases::export::Exporter;
use sealbox::cases::officers::NewOfficerInput;
use sealbox::cases::Cases;
use sealbox::config::{Overrides, Settings};
use sealbox::crypto::SecretKey;
use sealbox::http::officer::export::bundle_page;
use sealbox::http::Application;

/// Sealed intake for whistleblowing reports and customer complaints.
///
/// Everything submitters and officers write is stored only as age ciphertext. With no
/// configuration file, `sealbox serve` runs on 127.0.0.1:8080 with data in ./data.
#[derive(Parser)]
#[command(version, propagate_version = true)]
struct Cli {
    /// Configuration file (default: sealbox.toml in the working directory, when present).
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Data directory (database, keys, mail); overrides `data_dir`.
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server.
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free port).
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
    },
    /// Manage officers, the people who read and work cases.
    #[command(subcommand)]
    Officer(OfficerCommand),
    /// Check the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Delete closed cases whose channel's retention period has passed (the server also does
    /// this every hour).
    Purge,
    /// Check the mail setup.
    #[command(subcommand)]
    Mail(MailCommand),
    /// Where the channels come from: sealbox.toml, or the browser once an admin publishes one.
    #[command(subcommand)]
    Channels(ChannelsCommand),
    /// Export a case as a tar of age files sealed to RECIPIENT, written to standard output:
    /// `sealbox export 12 --to age1… --officer me@example.org --password-stdin > case-12.tar`.
    /// The server alone cannot open a case: an officer who holds it, or the organisation's
    /// recovery identity, opens it for the export, which is recorded in the audit log.
    Export(ExportArgs),
    /// Back up the data directory while the server runs: `sealbox backup --to FILE` writes one
    /// age file (a tar of a consistent database copy, the keys and the attachments) sealed to
    /// `recovery_recipient` or to --recipient. `sealbox backup --verify FILE --identity KEY`
    /// checks a backup without restoring it.
    Backup(BackupArgs),
    /// Restore a backup into --data-dir, which must be empty or absent. Stop the server first.
    Restore {
        /// The backup file (`sealbox backup --to`).
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// The age identity file the backup was sealed to (e.g. the recovery identity).
        #[arg(long, value_name = "KEYFILE")]
        identity: PathBuf,
    },
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("action").required(true).args(["to", "verify"])))]
struct BackupArgs {
    /// Write the backup to FILE (it appears only when complete).
    #[arg(long, value_name = "FILE")]
    to: Option<PathBuf>,
    /// Seal to this age public key instead of `recovery_recipient`.
    #[arg(long, value_name = "age1…", requires = "to")]
    recipient: Option<String>,
    /// Check the backup FILE instead of writing one.
    #[arg(long, value_name = "FILE", requires = "identity")]
    verify: Option<PathBuf>,
    /// The age identity file that opens the backup being checked.
    #[arg(long, value_name = "KEYFILE", requires = "verify")]
    identity: Option<PathBuf>,
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("opener").required(true).args(["officer", "recovery_identity"])))]
struct ExportArgs {
    /// The case: its id or the number the inbox shows.
    case: String,
    /// The age public key (age1…) the bundle is sealed to.
    #[arg(long, value_name = "RECIPIENT")]
    to: String,
    /// Open the case as this officer (password on standard input).
    #[arg(long, value_name = "EMAIL", requires = "password_stdin")]
    officer: Option<String>,
    /// Read the officer's password from the first line of standard input.
    #[arg(long)]
    password_stdin: bool,
    /// The officer's current code, when they use two-factor sign-in.
    #[arg(long, value_name = "CODE", requires = "officer")]
    totp: Option<String>,
    /// Open the case with the organisation's recovery identity file instead.
    #[arg(long, value_name = "FILE")]
    recovery_identity: Option<PathBuf>,
}

#[derive(Subcommand)]
enum ChannelsCommand {
    /// Make sealbox.toml (or, without channels there, the built-in ones) the source of the
    /// channels again from the next start, after they were published in the browser. Every
    /// version stays stored, so each case keeps its questions.
    UseFile,
}

#[derive(Subcommand)]
enum MailCommand {
    /// Send a test mail now, through the configured transport, and say what happened.
    Test {
        #[arg(long, value_name = "ADDRESS")]
        to: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain of the audit log; exits non-zero and names the first bad entry if
    /// any entry was altered or removed.
    Verify,
}

#[derive(Subcommand)]
enum OfficerCommand {
    /// Create an officer and their age key, sealed with their password.
    ///
    /// The password is read from the first line of standard input, e.g.
    /// `printf '%s\n' "$PASSWORD" | sealbox officer add --email … --name … --password-stdin`.
    Add(AddOfficer),
    /// List officers.
    List,
    /// Make an officer an admin (may manage officers and settings).
    Promote {
        #[arg(long)]
        email: String,
    },
    /// Take the admin role from an officer; refused for the last enabled admin.
    Demote {
        #[arg(long)]
        email: String,
    },
    /// Grant an officer every case of their channels they lack, opening the cases offline with
    /// the organisation's recovery identity (an age identity file). Exclusions made by
    /// submitters are honoured.
    Grant {
        #[arg(long)]
        email: String,
        /// The recovery identity file (`age-keygen` output); only read, never stored.
        #[arg(long, value_name = "FILE")]
        recovery_identity: PathBuf,
    },
}

#[derive(Args)]
struct AddOfficer {
    #[arg(long)]
    email: String,
    #[arg(long)]
    name: String,
    /// May manage officers and settings.
    #[arg(long)]
    admin: bool,
    /// Custodian of reporters' identities: holds them, and approves or denies handlers'
    /// requests to see one.
    #[arg(long)]
    custodian: bool,
    /// Channels this officer handles, comma-separated (default: every channel).
    #[arg(long, value_delimiter = ',', value_name = "a,b")]
    channels: Option<Vec<String>>,
    /// Read the password from standard input (required: passwords never go on the command line).
    #[arg(long)]
    password_stdin: bool,
}

fn main() -> ExitCode {
    // First, before anything is written: every file this process makes is private.
    sealbox::startup::private_umask();
    let cli = Cli::parse();
    init_logging();
    let overrides = Overrides {
        data_dir: cli.data_dir.clone(),
        listen: match &cli.command {
            Command::Serve { listen } => *listen,
            _ => None,
        },
    };
    let settings = match Settings::load(cli.config.as_deref(), &overrides) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    // Backups work on files only: they must not open (and so create or migrate) a data dir.
    let command = match cli.command {
        Command::Backup(args) => return finish(backup(args, &settings)),
        Command::Restore { from, identity } => return finish(restore(&from, &identity, &settings)),
        other => other,
    };
    let result = actix_web::rt::System::new().block_on(run(command, settings));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

fn finish(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

fn fail(e: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::FAILURE
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SEALBOX_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,actix_server=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    let tightened = sealbox::startup::tighten_data_dir(&settings.data_dir)?;
    if tightened > 0 {
        tracing::warn!(
            count = tightened,
            "files and directories of the data directory that other users could read were \
             made private"
        );
    }
    let cases = Cases::open(&settings)?;
    match command {
        Command::Mail(MailCommand::Test { to }) => {
            let via = cases.send_test_mail(&settings, &to).await?;
            println!("test mail to {to} handed to {via}");
            Ok(())
        }
        Command::Serve { .. } => serve(settings, cases).await,
        Command::Export(args) => export(&cases, args).await,
        Command::Backup(_) | Command::Restore { .. } => {
            anyhow::bail!("backup and restore run without opening the data directory")
        }
        Command::Officer(OfficerCommand::Add(args)) => add_officer(&cases, args).await,
        Command::Officer(OfficerCommand::List) => list_officers(&cases).await,
        Command::Officer(OfficerCommand::Promote { email }) => {
            set_admin(&cases, &email, true).await
        }
        Command::Officer(OfficerCommand::Demote { email }) => {
            set_admin(&cases, &email, false).await
        }
        Command::Officer(OfficerCommand::Grant {
            email,
            recovery_identity,
        }) => grant(&cases, &email, &recovery_identity).await,
        Command::Channels(ChannelsCommand::UseFile) => {
            if cases.channels_from_file().await? {
                println!("the configuration file is the channels' source from the next start");
            } else {
                println!("the configuration file already is the channels' source");
            }
            Ok(())
        }
        Command::Audit(AuditCommand::Verify) => match cases.verify_audit().await? {
            Ok(count) => {
                println!("audit log intact: {count} entries");
                Ok(())
            }
            Err(broken) => anyhow::bail!("audit log broken at {broken}"),
        },
        Command::Purge => {
            let purged = cases.purge_expired(Actor::Operator).await?;
            println!(
                "purged {} closed case(s) past retention{}",
                purged.len(),
                if purged.is_empty() {
                    String::new()
                } else {
                    format!(
                        ": {}",
                        purged
                            .iter()
                            .map(|n| format!("#{n}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            );
            Ok(())
        }
    }
}

async fn grant(cases: &Cases, email: &str, identity_file: &std::path::Path) -> anyhow::Result<()> {
    let identity = read_identity(identity_file)?;
    let id = cases.officer_id(email).await?;
    let report = cases.grant_cases(Granter::Recovery(&identity), &id).await?;
    let list = |n: &[i64]| {
        if n.is_empty() {
            "none".to_owned()
        } else {
            n.iter()
                .map(|n| format!("#{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    println!("granted: {}", list(&report.granted));
    println!("cases without a recovery grant: {}", report.unreachable);
    println!("excluded by the submitter: {}", list(&report.excluded));
    if report.identities > 0 {
        println!("identity keys granted: {}", report.identities);
    }
    Ok(())
}

async fn export(cases: &Cases, args: ExportArgs) -> anyhow::Result<()> {
    if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        anyhow::bail!("the bundle is binary: redirect standard output to a file (> case.tar)");
    }
    let exporter = match (&args.officer, &args.recovery_identity) {
        (Some(email), _) => {
            let signed_in = cases
                .sign_in(email, read_password()?, args.totp.as_deref())
                .await?;
            Exporter::Officer(signed_in.officer)
        }
        (None, Some(file)) => Exporter::Recovery(read_identity(file)?),
        (None, None) => {
            anyhow::bail!("give --officer EMAIL --password-stdin or --recovery-identity FILE")
        }
    };
    let mut bundle = cases
        .export_bundle(
            exporter,
            &args.case,
            &args.to,
            bundle_page(Default::default()),
        )
        .await?;
    let mut out = std::io::stdout().lock();
    std::io::copy(&mut bundle.reader, &mut out)?;
    std::io::Write::flush(&mut out)?;
    eprintln!(
        "exported {} ({} bytes) sealed to {}",
        bundle.name,
        bundle.size,
        args.to.trim()
    );
    Ok(())
}

fn stderr_is_terminal() -> bool {
    std::io::IsTerminal::is_terminal(&std::io::stderr())
}

fn backup(args: BackupArgs, settings: &Settings) -> anyhow::Result<()> {
    if let (Some(file), Some(identity)) = (&args.verify, &args.identity) {
        let summary =
            sealbox::backup::verify(file, &read_identity(identity)?, stderr_is_terminal())?;
        println!(
            "backup {} is sound: {} case(s), {} attachment(s), audit log intact ({} entries)",
            file.display(),
            summary.cases,
            summary.files,
            summary.audit_entries
        );
        return Ok(());
    }
    let Some(to) = &args.to else {
        anyhow::bail!("give --to FILE to write a backup, or --verify FILE --identity KEYFILE");
    };
    let recipient = match (&args.recipient, &settings.recovery_recipient) {
        (Some(r), _) | (None, Some(r)) => r,
        (None, None) => anyhow::bail!(
            "no recipient to seal the backup to: set recovery_recipient in the configuration \
             or give --recipient age1…"
        ),
    };
    let summary = sealbox::backup::backup(&settings.data_dir, to, recipient, stderr_is_terminal())?;
    println!(
        "backed up {} case(s) and {} attachment(s), {} MiB, to {}",
        summary.cases,
        summary.files,
        summary.bytes >> 20,
        to.display()
    );
    if summary.missing_files > 0 {
        eprintln!(
            "note: {} attachment(s) were deleted while the backup ran (their cases were purged)",
            summary.missing_files
        );
    }
    Ok(())
}

fn restore(
    from: &std::path::Path,
    identity: &std::path::Path,
    settings: &Settings,
) -> anyhow::Result<()> {
    let identity = read_identity(identity)?;
    let summary =
        sealbox::backup::restore(from, &identity, &settings.data_dir, stderr_is_terminal())?;
    println!(
        "restored {} case(s) and {} attachment(s) into {}; audit log intact ({} entries)",
        summary.cases,
        summary.files,
        settings.data_dir.display(),
        summary.audit_entries
    );
    Ok(())
}

fn read_password() -> anyhow::Result<SecretString> {
    let mut line = Zeroizing::new(String::new());
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(SecretString::from(
        line.trim_end_matches(['\n', '\r']).to_owned(),
    ))
}

async fn set_admin(cases: &Cases, email: &str, admin: bool) -> anyhow::Result<()> {
    let id = cases.officer_id(email).await?;
    cases.set_officer_admin(None, &id, admin).await?;
    println!(
        "{email} is {}",
        if admin {
            "now an admin"
        } else {
            "no longer an admin"
        }
    );
    Ok(())
}

fn read_identity(file: &std::path::Path) -> anyhow::Result<SecretKey> {
    let text = Zeroizing::new(
        std::fs::read_to_string(file)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?,
    );
    Ok(SecretKey::parse(&text)?)
}

async fn serve(settings: Settings, cases: Cases) -> anyhow::Result<()> {
    let officers = cases.list_officers().await?;
    if officers.iter().all(|o| o.disabled) {
        tracing::warn!(
            "no officer yet: add one with `sealbox officer add` before taking reports, \
             or cases can be read only through the recovery key"
        );
    }
    if settings.recovery_recipient.is_none() {
        tracing::warn!(
            "no recovery_recipient set: if every officer of a channel loses their password, \
             its cases cannot be opened again"
        );
    }
    match sealbox::startup::raise_open_files() {
        Ok(limit) if limit < settings.limits.max_connections as u64 + 256 => tracing::warn!(
            limit,
            "the open-file limit is below limits.max_connections plus room for the database \
             and uploads: raise it (LimitNOFILE=) or lower max_connections"
        ),
        Ok(limit) => tracing::debug!(limit, "open-file limit"),
        Err(e) => tracing::warn!(error = %e, "the open-file limit could not be raised"),
    }
    // One server per data directory: a second one would take the first one's uploads in
    // progress for leftovers of a crash, and delete them.
    let lock_path = settings.data_dir.join("serve.lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)?;
    if lock.try_lock().is_err() {
        anyhow::bail!(
            "another `sealbox serve` is running on {}; stop it first",
            settings.data_dir.display()
        );
    }
    // Nothing is uploading yet: any attachment file no case names was left by a crash.
    let strays = cases.remove_stray_files(std::time::Duration::ZERO).await?;
    if strays > 0 {
        tracing::info!(
            count = strays,
            "unfinished uploads from before the restart removed"
        );
    }
    let data_dir = settings.data_dir.display().to_string();
    let scheme = if settings.tls.files().is_some() {
        "https"
    } else {
        "http"
    };
    let app = Application::build(settings, cases)?;
    tracing::info!(data_dir, "sealbox listening on {scheme}://{}", app.addr());
    app.run().await?;
    drop(lock);
    Ok(())
}

async fn add_officer(cases: &Cases, args: AddOfficer) -> anyhow::Result<()> {
    if !args.password_stdin {
        anyhow::bail!("give the password on standard input with --password-stdin");
    }
    let password = read_password()?;
    let officer = cases
        .add_officer(
            NewOfficerInput {
                email: args.email,
                name: args.name,
                admin: args.admin,
                custodian: args.custodian,
                channels: args.channels,
                password,
            },
            None,
        )
        .await?;
    println!(
        "added officer {} <{}> (id {})",
        officer.name, officer.email, officer.id
    );
    Ok(())
}

async fn list_officers(cases: &Cases) -> anyhow::Result<()> {
    let officers = cases.list_officers().await?;
    if officers.is_empty() {
        println!("no officers yet: add one with `sealbox officer add`");
        return Ok(());
    }
    println!(
        "{:<32}  {:<30}  {:<24}  {:<5}  {:<8}  {:<24}  custodian",
        "id", "email", "name", "admin", "state", "channels"
    );
    for o in officers {
        println!(
            "{:<32}  {:<30}  {:<24}  {:<5}  {:<8}  {:<24}  {}",
            o.id,
            o.email,
            o.name,
            if o.admin { "yes" } else { "no" },
            if o.disabled {
                "disabled"
            } else if o.awaiting_enrolment {
                "pending"
            } else {
                "active"
            },
            o.channels.map_or("(all)".to_owned(), |c| c.join(",")),
            if o.custodian { "yes" } else { "no" }
        );
    }
    Ok(())
}
