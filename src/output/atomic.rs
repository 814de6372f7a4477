//! Atomic output files: written to a temporary file in the output folder, then renamed
//! over the target, so a killed run never leaves half a file behind.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A file being written; it appears under its name only on [`AtomicFile::commit`].
pub struct AtomicFile {
    path: PathBuf,
    writer: BufWriter<tempfile::NamedTempFile>,
}

impl AtomicFile {
    /// Starts writing `name` inside `dir`.
    pub fn create(dir: &Path, name: &str) -> Result<AtomicFile> {
        let path = dir.join(name);
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| Error::output(&path, format!("cannot create a file here ({e}); check the folder's permissions and free space")))?;
        // Temporary files are created private (0600); an output is an ordinary file
        // that the user's colleagues may need to open, so give it the usual mode.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = tmp
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644));
        }
        Ok(AtomicFile {
            path,
            writer: BufWriter::with_capacity(1 << 16, tmp),
        })
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes and renames the file into place.
    pub fn commit(self) -> Result<PathBuf> {
        let path = self.path;
        let tmp = self.writer.into_inner().map_err(|e| {
            Error::output(
                &path,
                format!("cannot write ({}); check free space", e.error()),
            )
        })?;
        tmp.as_file()
            .sync_all()
            .map_err(|e| Error::output(&path, format!("cannot write ({e}); check free space")))?;
        tmp.persist(&path).map_err(|e| {
            Error::output(
                &path,
                format!("cannot replace the file ({}); check permissions", e.error),
            )
        })?;
        Ok(path)
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_appears_only_on_commit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut f = AtomicFile::create(dir.path(), "x.csv").expect("create");
        f.write_all(b"a,b\n").expect("write");
        assert!(!dir.path().join("x.csv").exists());
        f.commit().expect("commit");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("x.csv")).expect("read"),
            "a,b\n"
        );
    }

    #[test]
    fn dropped_file_leaves_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let mut f = AtomicFile::create(dir.path(), "y.csv").expect("create");
            f.write_all(b"half").expect("write");
        }
        assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 0);
    }
}
