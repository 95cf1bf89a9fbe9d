//! What the process sets up about itself before it touches the data directory: a file-creation
//! mask that keeps everything it writes private, the open-file limit raised as far as allowed,
//! and the modes of an existing data directory tightened.

use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

/// Everything created from now on is readable by this user only (files 0600, dirs 0700),
/// whatever the shell's umask was: the database holds password hashes and wrapped keys, and
/// .eml files hold addresses.
pub fn private_umask() {
    // SAFETY: umask only sets the process's file-creation mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

/// Raises the soft limit on open files to the hard one, so connection limits, not the file
/// table, are what bounds a flood of connections. Returns the limit now in force.
pub fn raise_open_files() -> io::Result<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    if limit.rlim_cur < limit.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: limit.rlim_max,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: `raised` is a valid rlimit that asks for no more than the hard limit.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } != 0 {
            return Err(io::Error::last_os_error());
        }
        limit = raised;
    }
    #[allow(clippy::unnecessary_cast)] // rlim_t differs between platforms
    Ok(limit.rlim_cur as u64)
}

/// Why a data directory was refused.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    #[error(
        "{path} can be read by other users and could not be made private ({source}); make the \
         data directory and everything in it belong to the user sealbox runs as \
         (chown -R), or run `chmod -R go-rwx` on it"
    )]
    Exposed { path: String, source: io::Error },
    #[error("the data directory could not be checked: {0}")]
    Unreadable(#[from] io::Error),
}

/// Takes group and world access away from everything in an existing data directory (0700
/// directories, 0600 files), which an older version or a hand-made directory may have left
/// open. Returns how many entries were changed. Symbolic links are neither followed nor
/// changed. An entry that cannot be changed (another user's) is an error: the server must not
/// run on a database others can read.
pub fn tighten_data_dir(dir: &Path) -> Result<usize, DataDirError> {
    if !dir.exists() {
        return Ok(0);
    }
    let mut changed = 0;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        let meta = std::fs::symlink_metadata(&path)?;
        if meta.file_type().is_symlink() {
            continue;
        }
        if meta.is_dir() {
            for entry in std::fs::read_dir(&path)? {
                pending.push(entry?.path());
            }
        }
        if meta.mode() & 0o077 == 0 {
            continue;
        }
        let mode = if meta.is_dir() { 0o700 } else { 0o600 };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).map_err(
            |source| DataDirError::Exposed {
                path: path.display().to_string(),
                source,
            },
        )?;
        changed += 1;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_modes_are_tightened_and_private_ones_kept() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data");
        std::fs::create_dir_all(dir.join("mail")).unwrap();
        std::fs::write(dir.join("sealbox.sqlite"), b"x").unwrap();
        std::fs::write(dir.join("mail").join("a.eml"), b"x").unwrap();
        for (path, mode) in [
            (dir.clone(), 0o755),
            (dir.join("mail"), 0o750),
            (dir.join("sealbox.sqlite"), 0o644),
            (dir.join("mail").join("a.eml"), 0o600),
        ] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        assert_eq!(tighten_data_dir(&dir).unwrap(), 3);
        for (path, mode) in [
            (dir.clone(), 0o700),
            (dir.join("mail"), 0o700),
            (dir.join("sealbox.sqlite"), 0o600),
            (dir.join("mail").join("a.eml"), 0o600),
        ] {
            let got = std::fs::metadata(&path).unwrap().mode() & 0o777;
            assert_eq!(got, mode, "{}", path.display());
        }
        assert_eq!(tighten_data_dir(&dir).unwrap(), 0);
        assert_eq!(tighten_data_dir(&root.path().join("absent")).unwrap(), 0);
    }

    #[test]
    fn the_open_file_limit_is_raised_to_the_hard_one() {
        let now = raise_open_files().unwrap();
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `limit` is a valid, writable rlimit.
        assert_eq!(
            unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) },
            0
        );
        assert_eq!(limit.rlim_cur, limit.rlim_max);
        assert_eq!(now as libc::rlim_t, limit.rlim_max);
    }
}
