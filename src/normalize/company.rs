//! Company names: a tidy display form ([`tidy`]) and a match key ([`fold`]).
//!
//! The same company arrives as `"Smith & Miles Consulting Ltd"`, `"SMITH AND MILES
//! CONSULTING LIMITED"` and `"Smith & Miles Consulting"`. Display keeps what the user
//! wrote, only un-shouting ALL CAPS; the key drops what does not tell companies apart:
//! case, accents, punctuation, "and" in several languages, and legal forms at the end
//! (`GmbH & Co. KG`, `S.A. de C.V.`, `sp. z o.o.`, `Pty Ltd`, ...).
//!
//! Both functions are idempotent. Keys are for matching only, never displayed.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;

/// Tidies a company name for display: whitespace collapsed, and a name written in
/// ALL CAPS turned into Title Case, except legal forms (`GMBH` → `GmbH`, `LLC`, `AG`,
/// `S.P.A.` → `S.p.A.`), short vowel-less acronyms (`BMW`, `KPMG`) and tokens with digits.
/// Mixed-case names are left as written.
///
/// ```
/// use listmerge::normalize::company::tidy;
///
/// assert_eq!(tidy("  MULLINS-HUGHES   CORP. "), "Mullins-Hughes Corp.");
/// assert_eq!(tidy("RADISCH IMMOBILIEN GMBH & CO. KG"), "Radisch Immobilien GmbH & Co. KG");
/// assert_eq!(tidy("PIGUŁA USŁUGI SP. Z O.O."), "Piguła Usługi sp. z o.o.");
/// assert_eq!(tidy("van der Steen  N.V."), "van der Steen N.V.");
/// ```
pub fn tidy(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    if !is_all_caps(raw) {
        for (i, token) in raw.split_whitespace().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(token);
        }
        return out;
    }
    let tokens: Vec<&str> = raw.split_whitespace().collect();
    let single = tokens.len() == 1;
    let mut prev_upper = "";
    for (i, &token) in tokens.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let core = token.trim_end_matches([',', ';']);
        let trail = &token[core.len()..];
        let upper = core.to_uppercase();
        if let Some(form) = legal_display(&upper, prev_upper) {
            out.push_str(form);
        } else if i > 0 && is_lower_particle(&upper) {
            out.push_str(&core.to_lowercase());
        } else if single && core.chars().count() <= 4 || keeps_caps(core) {
            out.push_str(core);
        } else {
            title_case_into(core, &mut out);
        }
        out.push_str(trail);
        prev_upper = core;
    }
    out
}

/// Whether the text shouts: at least two letters and none of them lower case.
fn is_all_caps(s: &str) -> bool {
    let mut upper = 0;
    for c in s.chars() {
        if c.is_lowercase() {
            return false;
        }
        if c.is_uppercase() {
            upper += 1;
        }
    }
    upper >= 2
}

/// Acronyms that read wrong in Title Case: short, no vowel (`BMW`, `KPMG`, `DHL`), or
/// holding a digit (`3M`, `A1`).
fn keeps_caps(token: &str) -> bool {
    if token.bytes().any(|b| b.is_ascii_digit()) {
        return true;
    }
    let letters = token.chars().filter(|c| c.is_alphabetic()).count();
    (2..=4).contains(&letters)
        && !token
            .chars()
            .any(|c| matches!(c.to_ascii_uppercase(), 'A' | 'E' | 'I' | 'O' | 'U' | 'Y'))
}

/// Small words that stay lower case inside a name ("Banco de España", "Smith and Sons").
fn is_lower_particle(upper: &str) -> bool {
    matches!(
        upper,
        "AND"
            | "UND"
            | "U."
            | "ET"
            | "Y"
            | "E"
            | "OF"
            | "THE"
            | "FOR"
            | "FÜR"
            | "DE"
            | "DEL"
            | "DER"
            | "DES"
            | "DEN"
            | "DI"
            | "DA"
            | "DU"
            | "VAN"
            | "VON"
            | "LA"
            | "LE"
            | "EN"
    )
}

/// The canonical spelling of a legal-form token written in capitals, given the token
/// before it (`Z` is only a legal-form token inside `SP. Z O.O.`).
fn legal_display(upper: &str, prev: &str) -> Option<&'static str> {
    Some(match upper {
        "GMBH" => "GmbH",
        "MBH" => "mbH",
        "GESMBH" => "GesmbH",
        "AG" => "AG",
        "KG" => "KG",
        "KGAA" => "KGaA",
        "OHG" => "OHG",
        "GBR" => "GbR",
        "UG" => "UG",
        "SE" => "SE",
        "E.K." => "e.K.",
        "E.V." => "e.V.",
        "EG" => "eG",
        "CO." => "Co.",
        "CO" => "Co",
        "CIE" => "Cie",
        "CIE." => "Cie.",
        "LTD" => "Ltd",
        "LTD." => "Ltd.",
        "LIMITED" => "Limited",
        "INC" => "Inc",
        "INC." => "Inc.",
        "CORP" => "Corp",
        "CORP." => "Corp.",
        "LLC" => "LLC",
        "L.L.C." => "L.L.C.",
        "LLP" => "LLP",
        "LP" => "LP",
        "PLC" => "PLC",
        "PTY" => "Pty",
        "PTY." => "Pty.",
        "S.A." => "S.A.",
        "SA" => "SA",
        "SARL" => "SARL",
        "S.A.R.L." => "S.A.R.L.",
        "SAS" => "SAS",
        "S.A.S." => "S.A.S.",
        "SNC" => "SNC",
        "S.L." => "S.L.",
        "SL" => "SL",
        "S.L.U." => "S.L.U.",
        "S.P.A." => "S.p.A.",
        "SPA" => "SpA",
        "S.R.L." => "S.r.l.",
        "SRL" => "Srl",
        "S.R.O." => "s.r.o.",
        "B.V." => "B.V.",
        "BV" => "BV",
        "N.V." => "N.V.",
        "NV" => "NV",
        "C.V." => "C.V.",
        "SP." => "sp.",
        "Z" if prev.eq_ignore_ascii_case("sp.") => "z",
        "O.O." => "o.o.",
        "AB" => "AB",
        "A/S" => "A/S",
        "APS" => "ApS",
        "ASA" => "ASA",
        "OY" => "Oy",
        "OYJ" => "Oyj",
        _ => return None,
    })
}

/// Title Case: a capital after the start, a hyphen, a slash or a bracket; after an
/// apostrophe only when more than one letter follows ("O'Brien", "Macy's").
fn title_case_into(token: &str, out: &mut String) {
    let chars: Vec<char> = token.chars().collect();
    let mut capital_next = true;
    for (i, &c) in chars.iter().enumerate() {
        if c.is_alphabetic() {
            if capital_next {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
            capital_next = false;
        } else {
            out.push(c);
            capital_next = match c {
                '-' | '/' | '(' | '.' => true,
                '\'' | '’' => {
                    chars[i + 1..]
                        .iter()
                        .take_while(|c| c.is_alphabetic())
                        .count()
                        > 1
                }
                _ => capital_next,
            };
        }
    }
}

/// Folds a company name into its match key: [`fold`](crate::normalize::fold::fold)ed,
/// "and" in several languages dropped (`&`, `and`, `und`, `u.`, `et`, `y`, `en`), a
/// leading "the" dropped, and legal forms stripped from the end, repeatedly (so
/// `GmbH & Co. KG` goes in three steps). A name that is nothing but a legal form keeps
/// its last token rather than becoming empty.
///
/// ```
/// use listmerge::normalize::company::fold;
///
/// let key = fold("Smith & Miles Consulting Ltd");
/// assert_eq!(key, "smith miles consulting");
/// assert_eq!(fold("Smith and Miles Consulting Limited"), key);
/// assert_eq!(fold("SMITH & MILES CONSULTING"), key);
/// assert_eq!(fold("Radisch Immobilien GmbH u. Co. KG"), "radisch immobilien");
/// assert_eq!(fold("Grupo Bimbo, S.A.B. de C.V."), "grupo bimbo");
/// ```
pub fn fold(raw: &str) -> String {
    let mut out = String::new();
    fold_into(raw, &mut out);
    out
}

/// [`fold`], appended to `out`.
pub fn fold_into(raw: &str, out: &mut String) {
    if !raw.is_empty() {
        super::memo_with(&FOLD_MEMO, raw, fold_uncached, |v| out.push_str(v));
    }
}

thread_local! {
    static FOLD_MEMO: super::Memo<String> = Default::default();
}

fn fold_uncached(raw: &str) -> String {
    let folded = super::fold::fold(raw);
    let all: Vec<&str> = folded.split(' ').filter(|t| !t.is_empty()).collect();
    let mut tokens: Vec<&str> = all.iter().copied().filter(|t| !is_and(t)).collect();
    if tokens.is_empty() {
        tokens = all;
    }
    while tokens.len() > 1 && tokens[0] == "the" {
        tokens.remove(0);
    }
    while let Some(len) = legal_suffix_len(&tokens) {
        if len >= tokens.len() {
            break;
        }
        tokens.truncate(tokens.len() - len);
    }
    tokens.join(" ")
}

/// "And" in the languages of the data: `&` itself is gone after folding.
fn is_and(token: &str) -> bool {
    matches!(token, "and" | "und" | "u" | "et" | "y" | "en")
}

/// Legal forms as folded token sequences. Dotted forms fold to one token per letter
/// group (`S.A.` → `s a`), so both spellings are listed where they differ.
const LEGAL_FORMS: &[&[&str]] = &[
    // English-speaking
    &["ltd"],
    &["limited"],
    &["inc"],
    &["incorporated"],
    &["corp"],
    &["corporation"],
    &["co"],
    &["company"],
    &["llc"],
    &["l", "l", "c"],
    &["llp"],
    &["l", "l", "p"],
    &["lp"],
    &["l", "p"],
    &["plc"],
    &["p", "l", "c"],
    &["pty"],
    &["pte"],
    &["pvt"],
    &["bhd"],
    &["sdn", "bhd"],
    &["public", "limited", "company"],
    &["limited", "liability", "company"],
    &["limited", "liability", "partnership"],
    // German-speaking
    &["gmbh"],
    &["mbh"],
    &["gesmbh"],
    &["ag"],
    &["kg"],
    &["kgaa"],
    &["ohg"],
    &["gbr"],
    &["ug"],
    &["haftungsbeschrankt"],
    &["se"],
    &["e", "k"],
    &["e", "kfm"],
    &["ek"],
    &["e", "v"],
    &["ev"],
    &["eg"],
    &["gesellschaft", "mit", "beschrankter", "haftung"],
    &["aktiengesellschaft"],
    &["kommanditgesellschaft"],
    // French, Spanish, Portuguese, Italian
    &["cie"],
    &["sa"],
    &["s", "a"],
    &["sarl"],
    &["s", "a", "r", "l"],
    &["sas"],
    &["s", "a", "s"],
    &["sasu"],
    &["eurl"],
    &["snc"],
    &["sca"],
    &["sl"],
    &["s", "l"],
    &["slu"],
    &["s", "l", "u"],
    &["ltda"],
    &["spa"],
    &["s", "p", "a"],
    &["srl"],
    &["s", "r", "l"],
    &["sab"],
    &["s", "a", "b"],
    &["cv"],
    &["c", "v"],
    &["sa", "de", "cv"],
    &["s", "a", "de", "c", "v"],
    &["sab", "de", "cv"],
    &["s", "a", "b", "de", "c", "v"],
    &["s", "de", "r", "l"],
    &["societe", "anonyme"],
    &["sociedad", "anonima"],
    &["sociedad", "limitada"],
    &["societa", "per", "azioni"],
    &["societa", "a", "responsabilita", "limitata"],
    // Dutch, Belgian
    &["bv"],
    &["b", "v"],
    &["nv"],
    &["n", "v"],
    &["vof"],
    &["v", "o", "f"],
    &["bvba"],
    &["besloten", "vennootschap"],
    &["naamloze", "vennootschap"],
    // Polish, Czech, Slovak
    &["sp", "z", "o", "o"],
    &["sp", "zoo"],
    &["spolka", "z", "o", "o"],
    &["spolka", "z", "ograniczona", "odpowiedzialnoscia"],
    &["spolka", "akcyjna"],
    &["sp", "j"],
    &["sp", "k"],
    &["sro"],
    &["s", "r", "o"],
    &["a", "s"],
    // Nordic
    &["as"],
    &["asa"],
    &["ab"],
    &["oy"],
    &["oyj"],
    &["aps"],
    // Japan
    &["kk"],
    &["k", "k"],
];

/// The legal forms by their last token, so a company's name is checked against the
/// few forms that end like it instead of all of them (folding every employer of a
/// large list spent most of its time in that scan).
type FormsByLast = FxHashMap<&'static str, Vec<&'static [&'static str]>>;
static FORMS_BY_LAST: LazyLock<FormsByLast> = LazyLock::new(|| {
    let mut by_last = FormsByLast::default();
    for form in LEGAL_FORMS {
        if let Some(last) = form.last() {
            by_last.entry(last).or_default().push(form);
        }
    }
    by_last
});

/// The length of the longest legal form the tokens end with.
fn legal_suffix_len(tokens: &[&str]) -> Option<usize> {
    FORMS_BY_LAST
        .get(tokens.last()?)?
        .iter()
        .filter(|form| tokens.ends_with(form))
        .map(|form| form.len())
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_collapses_whitespace_only_for_mixed_case() {
        assert_eq!(tidy("  Kobelt   Beratung\tAG "), "Kobelt Beratung AG");
        assert_eq!(
            tidy("Rosołek & Golus Technologie sp. z o.o."),
            "Rosołek & Golus Technologie sp. z o.o."
        );
        assert_eq!(tidy("iRobot Gmbh"), "iRobot Gmbh");
        assert_eq!(tidy(""), "");
    }

    #[test]
    fn tidy_unshouts_all_caps() {
        assert_eq!(
            tidy("SMITH AND MILES CONSULTING LTD"),
            "Smith and Miles Consulting Ltd"
        );
        assert_eq!(tidy("O'BRIEN & SONS LLC"), "O'Brien & Sons LLC");
        assert_eq!(tidy("MACY'S INC."), "Macy's Inc.");
        assert_eq!(
            tidy("CABELLO DISTRIBUCIÓN S.L."),
            "Cabello Distribución S.L."
        );
        assert_eq!(tidy("IANNUCCI S.P.A."), "Iannucci S.p.A.");
        assert_eq!(tidy("SOMMARUGA S.R.L."), "Sommaruga S.r.l.");
        assert_eq!(tidy("BANCO DE ESPAÑA"), "Banco de España");
        assert_eq!(
            tidy("KONINKLIJKE LABADO HANDEL B.V."),
            "Koninklijke Labado Handel B.V."
        );
        assert_eq!(tidy("MÜLLER GMBH, BERLIN"), "Müller GmbH, Berlin");
        assert_eq!(tidy("BMW AG"), "BMW AG");
        assert_eq!(tidy("3M DEUTSCHLAND GMBH"), "3M Deutschland GmbH");
        assert_eq!(tidy("IBM"), "IBM");
        assert_eq!(tidy("NORDEA ABP OYJ"), "Nordea Abp Oyj");
    }

    #[test]
    fn fold_drops_legal_forms_in_many_languages() {
        let cases = [
            ("Kobelt Beratung AG", "kobelt beratung"),
            ("Radisch Immobilien GmbH & Co. KG", "radisch immobilien"),
            ("Müller u. Söhne e.K.", "muller sohne"),
            ("Arnold Inc.", "arnold"),
            ("Arnold Incorporated", "arnold"),
            ("Blankenship-King L.L.C.", "blankenship king"),
            ("Moss-Williams Solutions LLP", "moss williams solutions"),
            ("Dickinson & Co.", "dickinson"),
            ("Pichon SA", "pichon"),
            ("Pichon S.A.R.L.", "pichon"),
            ("Gil S.L.", "gil"),
            ("Iannucci S.p.A.", "iannucci"),
            ("Sommaruga S.r.l.", "sommaruga"),
            ("van der Steen-Lafleur N.V", "van der steen lafleur"),
            (
                "Koninklijke Labado Handel B.V.",
                "koninklijke labado handel",
            ),
            (
                "Kacperek-Klekot Handel sp. z o.o.",
                "kacperek klekot handel",
            ),
            ("PIGUŁA USŁUGI S.A.", "pigula uslugi"),
            ("Cementos Bravo, S.A. de C.V.", "cementos bravo"),
            ("Outback Traders Pty Ltd", "outback traders"),
            ("Volvo AB", "volvo"),
            ("Maersk A/S", "maersk"),
            ("Nokia Oyj", "nokia"),
            ("The Smith Group Limited", "smith group"),
            ("Meier Holding AG", "meier holding"),
        ];
        for (raw, key) in cases {
            assert_eq!(fold(raw), key, "{raw}");
        }
    }

    #[test]
    fn fold_drops_and_in_several_languages() {
        assert_eq!(fold("Schmidt und Partner"), fold("Schmidt & Partner"));
        assert_eq!(fold("Dupont et Fils"), fold("DUPONT & FILS"));
        assert_eq!(fold("García y Hermanos S.L."), fold("Garcia & Hermanos"));
        assert_eq!(fold("Jansen en Zonen B.V."), fold("Jansen & Zonen"));
    }

    #[test]
    fn fold_never_empties_a_name() {
        assert_eq!(fold("Limited"), "limited");
        assert_eq!(fold("AG & Co KG"), "ag");
        assert_eq!(fold("S.A."), "s a");
        assert_eq!(fold("&"), "");
        assert_eq!(fold("The"), "the");
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_idempotent(s in "\\PC{0,40}") {
            let t = tidy(&s);
            proptest::prop_assert_eq!(tidy(&t), t.clone());
            let f = fold(&s);
            proptest::prop_assert_eq!(fold(&f), f);
        }

        #[test]
        fn idempotent_on_company_like_text(
            words in proptest::collection::vec(
                "(SMITH|Müller|and|und|&|GMBH|Co\\.|KG|S\\.A\\.|de|C\\.V\\.|sp\\.|z|o\\.o\\.|LTD|the|A/S|e\\.K\\.|BMW|O'BRIEN)",
                0..7,
            )
        ) {
            let s = words.join(" ");
            let t = tidy(&s);
            proptest::prop_assert_eq!(tidy(&t), t.clone());
            let f = fold(&s);
            proptest::prop_assert_eq!(fold(&f), f.clone());
            proptest::prop_assert_eq!(fold(&t), f);
        }
    }
}
