//! Command-line arguments: clap's raw [`Args`] resolved into validated options.
//! The merge of flags over `rules.toml` happens here, in one place.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::error::{Error, Result};
use crate::import::SourceSpec;
use crate::pipeline::RunOptions;
use crate::rules::Rules;

const EXIT_CODES: &str = "Exit codes:
  0    success (also when some rows were rejected: see rejects.csv)
  2    bad usage or a bad rules.toml
  3    an input file could not be read
  4    an output could not be written
  130  interrupted";

const EXPLAIN_HELP: &str =
    "Records are named, in this order of precedence, by a stable key (xref.csv's
stable_key column, `source:id` for sources with their own ids), by `source:row`, or by
`file:row` / `file:sheet:row` (any trailing part of the path). Rows are 1-based data rows.

A pair the run never compared (the two share no blocking key) is reported as not a
candidate; its weight is shown anyway, marked hypothetical, scored with the blocking-key
kind whose prior is lowest.

Exit codes:
  0    success
  2    bad usage, a bad rules.toml, or a record that is not in the inputs
  3    an input file could not be read
  130  interrupted";

/// listmerge: consolidate and de-duplicate contact lists into one master list.
#[derive(Debug, Parser)]
#[command(name = "listmerge", version, about, after_help = EXIT_CODES)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read contact files, find duplicates and write one master list.
    #[command(after_help = EXIT_CODES)]
    Run {
        /// Rules file (defaults: the documented rules.toml built into listmerge).
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
        /// Output folder (created if missing).
        #[arg(long, value_name = "DIR", default_value = "listmerge-out")]
        out: PathBuf,
        /// No progress bars and no end-of-run summary (warnings and errors still show).
        #[arg(long, short)]
        quiet: bool,
        /// Threads to use (default: all cores).
        #[arg(long, value_name = "N")]
        threads: Option<usize>,
        /// Decisions exported from review.html: `same` pairs are merged, `different`
        /// pairs are kept apart, whatever the model says (also `decisions` in the `[review]` table).
        #[arg(long, value_name = "FILE")]
        decisions: Option<PathBuf>,
        /// Input files; `name=path` names the source (default: the file name).
        #[arg(value_name = "INPUT")]
        inputs: Vec<String>,
    },
    /// Precision, recall and F1 of a run's output against a labelled truth file.
    #[command(after_help = EXIT_CODES)]
    Eval {
        /// Truth file: `record_id,entity_id` or `file,row,entity_id`.
        #[arg(long, value_name = "FILE")]
        truth: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// The output folder of a run.
        #[arg(value_name = "OUTDIR")]
        out: PathBuf,
    },
    /// Show how listmerge reads files (format, header, column mapping, rejects, first
    /// contacts), to check a new source before a run uses it. Prints field values.
    #[command(after_help = EXIT_CODES)]
    Inspect {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// How many contacts (and rejects) to show per file.
        #[arg(long, value_name = "N", default_value_t = 3)]
        limit: usize,
        /// The files to inspect.
        #[arg(value_name = "FILE", required = true)]
        files: Vec<String>,
    },
    /// Why two records did or did not end in one master: both records' values, the
    /// blocking keys they share, each field's level and weight, the term-frequency
    /// adjustment, the total weight and probability against the thresholds, and their
    /// masters. Runs the same pipeline as `run` (same rules and inputs, nothing
    /// written), so the numbers are the ones the clustering used. Prints field values.
    #[command(after_help = EXPLAIN_HELP)]
    Explain {
        /// Rules file (defaults: the documented rules.toml built into listmerge).
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// The first record: `stable_key` from xref.csv (`crm:10451`), `source:row`
        /// (`tradeshow:5`) or `file:row` (`tradeshow.csv:5`).
        #[arg(value_name = "RECORD_A")]
        record_a: String,
        /// The second record, named the same ways.
        #[arg(value_name = "RECORD_B")]
        record_b: String,
        /// Decisions file, as given to `run` (decided pairs are must- or cannot-links).
        #[arg(long, value_name = "FILE")]
        decisions: Option<PathBuf>,
        /// Input files, as given to `run`; `name=path` names the source.
        #[arg(value_name = "INPUT")]
        inputs: Vec<String>,
    },
    /// Write labelled test data: DIR/records.csv and DIR/truth.csv (same seed, same bytes).
    #[command(after_help = EXIT_CODES)]
    Generate {
        /// Number of records to write.
        #[arg(long, value_name = "N", default_value_t = 100_000)]
        records: u64,
        /// Seed of the generator.
        #[arg(long, value_name = "S", default_value_t = 1)]
        seed: u64,
        /// Output folder (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

/// Splits `name=path` (a name is letters, digits, `_`, `-`, `.`; anything else with an
/// `=` is a path that happens to contain one).
pub fn input_spec(arg: &str) -> SourceSpec {
    if let Some((name, path)) = arg.split_once('=') {
        let ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if ok && !path.is_empty() {
            return SourceSpec {
                name: Some(name.to_string()),
                path: Some(PathBuf::from(path)),
                ..SourceSpec::default()
            };
        }
    }
    SourceSpec {
        path: Some(PathBuf::from(arg)),
        ..SourceSpec::default()
    }
}

/// Loads the rules and merges the command line's inputs with the rules' sources.
/// A command-line input whose name matches a `[[source]]` takes that source's settings.
pub fn resolve_run(
    rules: Option<&PathBuf>,
    out: PathBuf,
    inputs: &[String],
) -> Result<(Rules, RunOptions)> {
    let rules = match rules {
        Some(p) => Rules::load(p)?,
        None => Rules::defaults(),
    };
    let mut sources = Vec::new();
    for arg in inputs {
        let mut spec = input_spec(arg);
        let name = spec.name.clone().or_else(|| {
            spec.path
                .as_ref()
                .and_then(|p| p.file_stem())
                .map(|s| s.to_string_lossy().into_owned())
        });
        if let Some(declared) = rules
            .sources
            .iter()
            .find(|s| s.name == name && s.path.is_none())
        {
            spec.priority = declared.priority;
            spec.default_country = declared.default_country.clone();
            spec.columns = declared.columns.clone();
        }
        sources.push(spec);
    }
    // Sources declared with a path are read too; those without a path give settings to
    // sources named by a file's `source` column.
    sources.extend(rules.sources.iter().cloned());
    if !sources.iter().any(|s| s.path.is_some()) {
        return Err(Error::Usage(
            "no input files: name them after `listmerge run`, or add a [[source]] with a path to the rules file"
                .into(),
        ));
    }
    let decisions = rules.decisions.clone();
    Ok((
        rules,
        RunOptions {
            sources,
            out,
            decisions,
        },
    ))
}

/// Runs a subcommand, printing what it has to say.
pub fn execute(command: Command) -> Result<()> {
    use std::io::Write;
    match command {
        Command::Run {
            rules,
            out,
            quiet,
            threads,
            decisions,
            inputs,
        } => {
            if let Some(n) = threads {
                // Only fails when a pool already exists, which is then used instead.
                let _ = rayon::ThreadPoolBuilder::new()
                    .num_threads(n.max(1))
                    .build_global();
            }
            let (rules, mut opts) = resolve_run(rules.as_ref(), out, &inputs)?;
            if decisions.is_some() {
                opts.decisions = decisions;
            }
            let report = crate::report::Bars::new(quiet);
            let summary = crate::pipeline::run(&rules, &opts, &report)?;
            if !quiet {
                eprint!("{}", crate::output::describe(&summary));
            }
            Ok(())
        }
        Command::Eval { truth, json, out } => {
            let e = crate::eval::evaluate(&out, &truth)?;
            let text = if json {
                serde_json::to_string_pretty(&e).unwrap_or_default() + "\n"
            } else {
                crate::eval::describe(&e)
            };
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error.
            let _ = stdout.write_all(text.as_bytes());
            Ok(())
        }
        Command::Inspect { json, limit, files } => {
            let rules = Rules::defaults();
            let reports =
                crate::inspect::inspect(&files, limit, rules.matching.default_country.as_deref());
            let text = if json {
                serde_json::to_string_pretty(&reports).unwrap_or_default() + "\n"
            } else {
                crate::inspect::to_text(&reports)
            };
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            // The other files were still shown; the exit code says one could not be read.
            match reports
                .iter()
                .find_map(|r| Some((&r.path, r.error.as_ref()?)))
            {
                Some((path, _)) => Err(Error::input(
                    path,
                    "could not be read (see the report above); check the path",
                )),
                None => Ok(()),
            }
        }
        Command::Explain {
            rules,
            json,
            record_a,
            record_b,
            decisions,
            inputs,
        } => {
            // `out` is unused: explain writes nothing.
            let (rules, mut opts) = resolve_run(rules.as_ref(), PathBuf::new(), &inputs)?;
            if decisions.is_some() {
                opts.decisions = decisions;
            }
            let report = crate::report::Bars::new(true);
            let linked = crate::pipeline::link(&rules, &opts, &report)?;
            let e = crate::explain::explain(&linked, &rules.matching, &record_a, &record_b)?;
            let text = if json {
                serde_json::to_string_pretty(&e).unwrap_or_default() + "\n"
            } else {
                crate::explain::to_text(&e)
            };
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            Ok(())
        }
        Command::Generate { records, seed, out } => {
            let stats =
                crate::generate::generate(&crate::generate::Options { records, seed }, &out)?;
            eprintln!(
                "wrote {} records of {} people ({} true duplicate pairs) to {}",
                stats.records,
                stats.entities,
                stats.true_pairs,
                out.display()
            );
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_and_plain_inputs() {
        let s = input_spec("crm=exports/crm.csv");
        assert_eq!(s.name.as_deref(), Some("crm"));
        assert_eq!(s.path, Some(PathBuf::from("exports/crm.csv")));
        let s = input_spec("data/a=b.csv");
        assert_eq!(s.name, None);
        assert_eq!(s.path, Some(PathBuf::from("data/a=b.csv")));
    }

    #[test]
    fn no_inputs_is_usage_error() {
        let e = resolve_run(None, PathBuf::from("out"), &[]).expect_err("no inputs");
        assert_eq!(e.exit_code(), 2);
    }
}
