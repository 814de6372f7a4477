//! `rules.toml`: raw options ([`RawRules`], straight from serde) resolved into validated
//! [`Rules`] that every stage takes its part of.
//!
//! The documented defaults are the top-level `rules.toml`, built in with `include_str!`,
//! so the file users read and the values the code uses cannot drift apart. A user's
//! file is laid over the defaults key by key. Unknown keys, wrong types and broken
//! relations (review threshold above the match threshold) are errors that name the
//! file, line and column.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_spanned::Spanned;

use crate::error::{Error, Result};
use crate::import::{ColumnTarget, SourceSpec};
use crate::model::Field;

/// The bundled default rules (the top-level `rules.toml`).
pub const DEFAULT_RULES: &str = include_str!("../rules.toml");

/// `rules.toml` as written, every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawRules {
    /// `[matching]`
    #[serde(default)]
    pub matching: RawMatching,
    /// `[survivorship]`
    #[serde(default)]
    pub survivorship: RawSurvivorship,
    /// `[output]`
    #[serde(default)]
    pub output: RawOutput,
    /// `[review]`
    #[serde(default)]
    pub review: RawReview,
    /// `[[source]]`
    #[serde(default)]
    pub source: Vec<RawSource>,
    /// `[[compare]]`
    #[serde(default)]
    pub compare: Vec<RawCompare>,
}

/// `[matching]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawMatching {
    match_threshold: Option<Spanned<f64>>,
    review_threshold: Option<Spanned<f64>>,
    cannot_link_below: Option<Spanned<f64>>,
    max_block_size: Option<Spanned<u32>>,
    refine_blocks_above: Option<Spanned<u32>>,
    refine_window: Option<Spanned<u32>>,
    random_pairs: Option<Spanned<u32>>,
    em_iterations: Option<Spanned<u32>>,
    seed: Option<u64>,
    generic_after: Option<Spanned<u32>>,
    default_country: Option<Spanned<String>>,
    different_names_never_merge: Option<bool>,
    name_alone_bearers: Option<Spanned<u32>>,
}

/// `[survivorship]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSurvivorship {
    default: Option<Spanned<String>>,
    #[serde(default)]
    fields: BTreeMap<Spanned<String>, Spanned<String>>,
}

/// `[output]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawOutput {
    write_matches: Option<bool>,
    spill_contacts_above: Option<u64>,
}

/// `[review]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawReview {
    decisions: Option<String>,
}

/// One `[[source]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSource {
    name: Spanned<String>,
    path: Option<String>,
    #[serde(default)]
    priority: i32,
    default_country: Option<Spanned<String>>,
    #[serde(default)]
    columns: BTreeMap<String, Spanned<String>>,
}

/// One `[[compare]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawCompare {
    column: String,
    method: Spanned<String>,
}

/// How a custom field is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareMethod {
    /// Equal after trimming and case folding.
    Exact,
    /// Jaro-Winkler ≥ 0.9 on folded text.
    Fuzzy,
    /// The same calendar date in any common format.
    Date,
}

/// A custom-field comparison.
#[derive(Debug, Clone)]
pub struct CustomCompare {
    /// The column name as written in the files.
    pub column: String,
    /// How to compare.
    pub method: CompareMethod,
}

/// Matching settings, validated.
#[derive(Debug, Clone)]
pub struct Matching {
    /// Probability at or above which two records merge.
    pub match_threshold: f64,
    /// Probability at or above which a pair goes to review.
    pub review_threshold: f64,
    /// Probability below which a pair is a cannot-link.
    pub cannot_link_below: f64,
    /// Largest group sharing a corroborating value that is still compared (inside a
    /// refined block).
    pub max_block_size: u32,
    /// Largest block compared in full; larger ones only pair records that also share a
    /// company, city, postcode, street, work domain or family-name sound.
    pub refine_blocks_above: u32,
    /// Inside a refined block, how many following records (in an order that puts
    /// records with the same name, then records sharing more values, side by side)
    /// each record is paired with.
    pub refine_window: u32,
    /// Random pairs for u estimation.
    pub random_pairs: u32,
    /// EM rounds.
    pub em_iterations: u32,
    /// Seed for random pairs.
    pub seed: u64,
    /// Distinct people after which a shared e-mail or phone counts as generic.
    pub generic_after: u32,
    /// Last-resort phone country.
    pub default_country: Option<String>,
    /// Two records whose given names clearly differ never merge unless they share a
    /// personal e-mail address.
    pub different_names_never_merge: bool,
    /// Two records that agree on nothing but their names merge only when nothing else
    /// differs and they bear one full name that at most this many records bear and
    /// that is rare by its parts (0: the rule is off; see `score::NameFrequency`).
    pub name_alone_bearers: u32,
    /// Custom-field comparisons.
    pub custom: Vec<CustomCompare>,
}

/// A survivorship rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Survive {
    /// Highest source priority.
    SourcePriority,
    /// Most recently updated record.
    MostRecent,
    /// Longest value.
    MostComplete,
    /// Value most records agree on.
    MostFrequent,
}

/// The master fields survivorship chooses a single value for.
pub const SURVIVE_FIELDS: [&str; 7] = [
    "name", "company", "title", "address", "website", "birthday", "notes",
];

/// Survivorship settings.
#[derive(Debug, Clone)]
pub struct Survivorship {
    /// Rule per entry of [`SURVIVE_FIELDS`], same order.
    pub rules: [Survive; 7],
}

impl Survivorship {
    /// The rule for a field of [`SURVIVE_FIELDS`].
    pub fn rule(&self, field: &str) -> Survive {
        SURVIVE_FIELDS
            .iter()
            .position(|f| *f == field)
            .map(|i| self.rules[i])
            .unwrap_or(Survive::MostFrequent)
    }
}

/// Validated rules.
#[derive(Debug, Clone)]
pub struct Rules {
    /// `[matching]` and `[[compare]]`.
    pub matching: Matching,
    /// `[survivorship]`.
    pub survivorship: Survivorship,
    /// Write matches.csv.
    pub write_matches: bool,
    /// Above this many records, contacts wait on disk while the matching stages run
    /// (see [`crate::spill`]).
    pub spill_contacts_above: u64,
    /// `[[source]]` entries.
    pub sources: Vec<SourceSpec>,
    /// Reviewers' decisions file (`[review] decisions`).
    pub decisions: Option<PathBuf>,
}

impl Rules {
    /// The built-in defaults.
    pub fn defaults() -> Rules {
        Rules::from_str(DEFAULT_RULES, Path::new("rules.toml (built in)"))
            .expect("the bundled rules.toml is valid: a unit test checks it")
    }

    /// Reads a rules file and lays it over the defaults. Source paths in it are
    /// relative to the rules file's folder, so a nightly job finds its files whatever
    /// its working directory.
    pub fn load(path: &Path) -> Result<Rules> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Rules {
            path: path.to_path_buf(),
            line: 0,
            column: 0,
            message: format!("cannot read the rules file ({e}); check the path"),
        })?;
        let mut rules = Rules::from_str(&text, path)?;
        let base = path.parent().unwrap_or(Path::new(""));
        for s in &mut rules.sources {
            if let Some(p) = &mut s.path {
                if p.is_relative() {
                    *p = base.join(&*p);
                }
            }
        }
        if let Some(p) = &mut rules.decisions {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        }
        Ok(rules)
    }

    /// Parses rules text (laid over the defaults); `path` is only for messages.
    pub fn from_str(text: &str, path: &Path) -> Result<Rules> {
        let user = parse_raw(text, path)?;
        let defaults = if text == DEFAULT_RULES {
            None
        } else {
            Some(parse_raw(
                DEFAULT_RULES,
                Path::new("rules.toml (built in)"),
            )?)
        };
        resolve(user, defaults, text, path)
    }
}

fn parse_raw(text: &str, path: &Path) -> Result<RawRules> {
    toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
        Error::Rules {
            path: path.to_path_buf(),
            line,
            column,
            message: format!(
                "{}; see the documented keys in the bundled rules.toml",
                e.message().trim()
            ),
        }
    })
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

struct Ctx<'a> {
    text: &'a str,
    path: &'a Path,
}

impl Ctx<'_> {
    fn err(&self, span: Range<usize>, message: String) -> Error {
        let (line, column) = line_col(self.text, span.start);
        Error::Rules {
            path: self.path.to_path_buf(),
            line,
            column,
            message,
        }
    }
}

fn probability(ctx: &Ctx, v: &Spanned<f64>, key: &str) -> Result<f64> {
    let p = *v.get_ref();
    if !(p > 0.0 && p < 1.0) {
        return Err(ctx.err(
            v.span(),
            format!("{key} must be a probability strictly between 0 and 1, like 0.95"),
        ));
    }
    Ok(p)
}

fn survive_rule(ctx: &Ctx, v: &Spanned<String>) -> Result<Survive> {
    Ok(match v.get_ref().as_str() {
        "source-priority" => Survive::SourcePriority,
        "most-recent" => Survive::MostRecent,
        "most-complete" => Survive::MostComplete,
        "most-frequent" => Survive::MostFrequent,
        other => {
            return Err(ctx.err(
                v.span(),
                format!(
                    "unknown survivorship rule \"{other}\"; use source-priority, most-recent, \
                     most-complete or most-frequent"
                ),
            ))
        }
    })
}

fn country(ctx: &Ctx, v: &Spanned<String>) -> Result<Option<String>> {
    let c = v.get_ref().trim();
    if c.is_empty() {
        return Ok(None);
    }
    if c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_alphabetic()) {
        return Err(ctx.err(
            v.span(),
            format!("\"{c}\" is not a two-letter ISO country code; write it like \"GB\" or \"DE\""),
        ));
    }
    Ok(Some(c.to_ascii_uppercase()))
}

fn resolve(user: RawRules, defaults: Option<RawRules>, text: &str, path: &Path) -> Result<Rules> {
    let ctx = Ctx { text, path };
    let d = defaults.unwrap_or_default();
    let dctx = Ctx {
        text: DEFAULT_RULES,
        path: Path::new("rules.toml (built in)"),
    };
    // A value the user wrote is checked against the user's text; a default against
    // the bundled file (a unit test keeps that one valid).
    macro_rules! pick {
        ($field:ident) => {
            match user.matching.$field {
                Some(v) => (v, &ctx),
                None => match d.matching.$field {
                    Some(v) => (v, &dctx),
                    None => {
                        return Err(ctx.err(
                            0..0,
                            format!(
                                "matching.{} has no value; add it to [matching]",
                                stringify!($field).replace('_', "-")
                            ),
                        ))
                    }
                },
            }
        };
    }
    let (mt, mt_ctx) = pick!(match_threshold);
    let match_threshold = probability(mt_ctx, &mt, "match-threshold")?;
    let (rt, rt_ctx) = pick!(review_threshold);
    let review_threshold = probability(rt_ctx, &rt, "review-threshold")?;
    if review_threshold >= match_threshold {
        let (span, c) = if rt_ctx.text == text {
            (rt.span(), rt_ctx)
        } else {
            (mt.span(), mt_ctx)
        };
        return Err(c.err(
            span,
            format!(
                "review-threshold ({review_threshold}) must be below match-threshold \
                 ({match_threshold})"
            ),
        ));
    }
    let (cl, cl_ctx) = pick!(cannot_link_below);
    let cannot_link_below = probability(cl_ctx, &cl, "cannot-link-below")?;
    if cannot_link_below >= review_threshold {
        return Err(cl_ctx.err(
            cl.span(),
            "cannot-link-below must be below review-threshold".to_string(),
        ));
    }
    let (mb, mb_ctx) = pick!(max_block_size);
    if *mb.get_ref() < 2 {
        return Err(mb_ctx.err(mb.span(), "max-block-size must be at least 2".into()));
    }
    let (rb, rb_ctx) = pick!(refine_blocks_above);
    if *rb.get_ref() < 2 {
        return Err(rb_ctx.err(rb.span(), "refine-blocks-above must be at least 2".into()));
    }
    let (rw, rw_ctx) = pick!(refine_window);
    if *rw.get_ref() < 1 {
        return Err(rw_ctx.err(rw.span(), "refine-window must be at least 1".into()));
    }
    let (nab, _) = pick!(name_alone_bearers);
    let (rp, rp_ctx) = pick!(random_pairs);
    if *rp.get_ref() < 1000 {
        return Err(rp_ctx.err(rp.span(), "random-pairs must be at least 1000".into()));
    }
    let (em, _) = pick!(em_iterations);
    let (ga, ga_ctx) = pick!(generic_after);
    if *ga.get_ref() < 2 {
        return Err(ga_ctx.err(ga.span(), "generic-after must be at least 2".into()));
    }
    let (dc, dc_ctx) = pick!(default_country);
    let default_country = country(dc_ctx, &dc)?;
    let seed = user.matching.seed.or(d.matching.seed).unwrap_or(42);

    let mut custom = Vec::new();
    for c in user.compare.iter().chain(d.compare.iter()) {
        let method = match c.method.get_ref().as_str() {
            "exact" => CompareMethod::Exact,
            "fuzzy" => CompareMethod::Fuzzy,
            "date" => CompareMethod::Date,
            other => {
                return Err(ctx.err(
                    c.method.span(),
                    format!("unknown compare method \"{other}\"; use exact, fuzzy or date"),
                ))
            }
        };
        custom.push(CustomCompare {
            column: c.column.clone(),
            method,
        });
    }

    let default_rule = match (&user.survivorship.default, &d.survivorship.default) {
        (Some(v), _) => survive_rule(&ctx, v)?,
        (None, Some(v)) => survive_rule(&dctx, v)?,
        (None, None) => Survive::MostFrequent,
    };
    let mut rules = [default_rule; 7];
    let user_has_default = user.survivorship.default.is_some();
    for (fields, c, is_default) in [
        (&d.survivorship.fields, &dctx, true),
        (&user.survivorship.fields, &ctx, false),
    ] {
        // A user's own `default` replaces the bundled per-field choices too.
        if is_default && user_has_default {
            continue;
        }
        for (k, v) in fields {
            let Some(i) = SURVIVE_FIELDS.iter().position(|f| f == k.get_ref()) else {
                return Err(c.err(
                    k.span(),
                    format!(
                        "unknown survivorship field \"{}\"; use one of {}",
                        k.get_ref(),
                        SURVIVE_FIELDS.join(", ")
                    ),
                ));
            };
            rules[i] = survive_rule(c, v)?;
        }
    }

    let mut sources: Vec<SourceSpec> = Vec::new();
    for s in &user.source {
        let name = s.name.get_ref().trim();
        if name.is_empty() {
            return Err(ctx.err(s.name.span(), "a source name must not be empty".into()));
        }
        if sources.iter().any(|o| o.name.as_deref() == Some(name)) {
            return Err(ctx.err(
                s.name.span(),
                format!("source \"{name}\" is declared twice; give each [[source]] its own name"),
            ));
        }
        let mut columns = Vec::new();
        for (col, target) in &s.columns {
            let t = match target.get_ref().as_str() {
                "custom" => ColumnTarget::Custom,
                "ignore" => ColumnTarget::Ignore,
                f => match Field::from_name(f) {
                    Some(f) => ColumnTarget::Field(f),
                    None => {
                        let known: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
                        return Err(ctx.err(
                            target.span(),
                            format!(
                                "column \"{col}\" is mapped to unknown field \"{f}\"; use one of \
                                 {}, custom or ignore",
                                known.join(", ")
                            ),
                        ));
                    }
                },
            };
            columns.push((col.clone(), t));
        }
        sources.push(SourceSpec {
            name: Some(name.to_string()),
            path: s.path.as_ref().map(PathBuf::from),
            priority: s.priority,
            default_country: match &s.default_country {
                Some(c) => country(&ctx, c)?,
                None => None,
            },
            columns,
            sheets: Vec::new(),
        });
    }

    Ok(Rules {
        matching: Matching {
            match_threshold,
            review_threshold,
            cannot_link_below,
            max_block_size: *mb.get_ref(),
            refine_blocks_above: *rb.get_ref(),
            refine_window: *rw.get_ref(),
            random_pairs: *rp.get_ref(),
            em_iterations: *em.get_ref(),
            seed,
            generic_after: *ga.get_ref(),
            default_country,
            different_names_never_merge: user
                .matching
                .different_names_never_merge
                .or(d.matching.different_names_never_merge)
                .unwrap_or(true),
            name_alone_bearers: *nab.get_ref(),
            custom,
        },
        survivorship: Survivorship { rules },
        write_matches: user
            .output
            .write_matches
            .or(d.output.write_matches)
            .unwrap_or(false),
        spill_contacts_above: user
            .output
            .spill_contacts_above
            .or(d.output.spill_contacts_above)
            .unwrap_or(u64::MAX),
        sources,
        decisions: user
            .review
            .decisions
            .or(d.review.decisions)
            .filter(|p| !p.trim().is_empty())
            .map(PathBuf::from),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Rules> {
        Rules::from_str(text, Path::new("my-rules.toml"))
    }

    fn message(text: &str) -> String {
        parse(text).expect_err("should fail").to_string()
    }

    #[test]
    fn bundled_defaults_are_valid() {
        let r = Rules::defaults();
        assert_eq!(r.matching.match_threshold, 0.5);
        assert!(r.matching.review_threshold < r.matching.match_threshold);
        assert_eq!(r.survivorship.rule("company"), Survive::SourcePriority);
        assert_eq!(r.survivorship.rule("name"), Survive::MostFrequent);
    }

    #[test]
    fn user_values_override_defaults() {
        let r = parse("[matching]\nmatch-threshold = 0.99\n").expect("valid");
        assert_eq!(r.matching.match_threshold, 0.99);
        assert_eq!(r.matching.review_threshold, 0.1);
    }

    #[test]
    fn empty_file_gives_defaults() {
        let r = parse("").expect("valid");
        assert_eq!(r.matching.max_block_size, 200);
        assert_eq!(r.matching.refine_window, 4);
    }

    #[test]
    fn zero_refine_window_is_refused_with_its_line() {
        let e = parse("[matching]\nrefine-window = 0\n").expect_err("invalid");
        let text = e.to_string();
        assert!(
            text.contains(":2:") && text.contains("refine-window must be at least 1"),
            "{text}"
        );
    }

    #[test]
    fn unknown_key_names_file_and_line() {
        let m = message("[matching]\nmatch-treshold = 0.9\n");
        assert!(m.starts_with("my-rules.toml:2:"), "{m}");
        assert!(m.contains("match-treshold"), "{m}");
    }

    #[test]
    fn syntax_error_names_line() {
        let m = message("[matching]\n\nmatch-threshold = = 1\n");
        assert!(m.starts_with("my-rules.toml:3:"), "{m}");
    }

    #[test]
    fn review_above_match_is_rejected_at_its_line() {
        let m = message("[matching]\nmatch-threshold = 0.9\nreview-threshold = 0.95\n");
        assert!(m.starts_with("my-rules.toml:3:"), "{m}");
        assert!(m.contains("must be below match-threshold"), "{m}");
    }

    #[test]
    fn probability_out_of_range() {
        let m = message("[matching]\nmatch-threshold = 1.5\n");
        assert!(m.starts_with("my-rules.toml:2:"), "{m}");
    }

    #[test]
    fn wrong_type_is_an_error() {
        let m = message("[matching]\nmax-block-size = \"big\"\n");
        assert!(m.starts_with("my-rules.toml:2:"), "{m}");
    }

    #[test]
    fn sources_and_mappings() {
        let r = parse(
            "[[source]]\nname = \"crm\"\npath = \"crm.csv\"\npriority = 5\ndefault-country = \"gb\"\n\
             [source.columns]\n\"Kundennr\" = \"record_key\"\n\"X\" = \"ignore\"\n",
        )
        .expect("valid");
        assert_eq!(r.sources.len(), 1);
        assert_eq!(r.sources[0].default_country.as_deref(), Some("GB"));
        assert!(r.sources[0]
            .columns
            .contains(&("Kundennr".into(), ColumnTarget::Field(Field::RecordKey))));
    }

    #[test]
    fn bad_mapping_and_duplicate_source() {
        let m = message("[[source]]\nname = \"a\"\n[source.columns]\n\"X\" = \"emial\"\n");
        assert!(m.starts_with("my-rules.toml:4:"), "{m}");
        assert!(m.contains("emial"), "{m}");
        let m = message("[[source]]\nname = \"a\"\n[[source]]\nname = \"a\"\n");
        assert!(m.starts_with("my-rules.toml:4:"), "{m}");
        let m = message("[[source]]\nname = \"a\"\ndefault-country = \"Germany\"\n");
        assert!(m.contains("ISO country code"), "{m}");
    }

    #[test]
    fn survivorship_rules() {
        let r = parse("[survivorship]\ndefault = \"most-recent\"\n").expect("valid");
        assert_eq!(r.survivorship.rule("company"), Survive::MostRecent);
        let m = message("[survivorship.fields]\nemail = \"most-recent\"\n");
        assert!(m.contains("unknown survivorship field"), "{m}");
        let m = message("[survivorship]\ndefault = \"newest\"\n");
        assert!(m.contains("unknown survivorship rule"), "{m}");
    }

    #[test]
    fn custom_compare() {
        let r = parse("[[compare]]\ncolumn = \"DOB\"\nmethod = \"date\"\n").expect("valid");
        assert_eq!(r.matching.custom[0].method, CompareMethod::Date);
        let m = message("[[compare]]\ncolumn = \"DOB\"\nmethod = \"soundex\"\n");
        assert!(m.starts_with("my-rules.toml:3:"), "{m}");
    }
}
