//! Postal addresses: a street match key, a tidy postcode, and country recognition.
//!
//! [`fold_street`] makes `"Schmiedeckestr. 194"` and `"Schmiedeckestraße 194"`, or
//! `"114 Donna St."` and `"114 Donna Street"`, one key by unifying street-type words
//! and their abbreviations in English, German, French, Spanish, Italian, Dutch and
//! Polish. [`country_code`] reads a country written as a name (in many languages) or a
//! code; [`country_from_domain`] guesses one from an e-mail or web domain, which
//! `normalize` uses to pick a phone's default country when a record has none.
//!
//! Keys are for matching only and never displayed; [`fold_street`] and [`postcode`] are
//! idempotent.

use super::fold::fold;

/// Folds a street line into its match key: [`fold`]ed, street-type abbreviations
/// unified across languages, house numbers kept (`"12 a"` joins to `"12a"`).
///
/// - English: St/Street (St before a name is Saint), Rd, Ave, Blvd, Ln, Dr, Ct, Pl, Sq, ...
/// - German: Str./Straße/strasse, also as a suffix (`Langestr` → `langestrasse`), and
///   `"Lange Straße"` joins to `langestrasse`; Pl./Platz.
/// - French: av./avenue, bd/boulevard, ch./chemin, pl./place, ...
/// - Spanish: C./Calle, Avda./Avenida, Pza./Plaza, ...
/// - Italian: V./Via, V.le/Viale, P.za/Piazza, C.so/Corso, ...
/// - Dutch: straat (joins the `strasse` key), laan, plein; Polish: `ul.`/`ulica` is
///   dropped (it is optional in practice), pl./plac.
///
/// Squares of every language (`Platz`, `place`, `plaza`, `piazza`, `plein`, `plac`)
/// share the key `place`, and avenues (`avenue`, `avenida`) share `avenue`.
///
/// ```
/// use listmerge::normalize::address::fold_street;
///
/// assert_eq!(fold_street("Schmiedeckestr. 194"), fold_street("Schmiedeckestraße 194"));
/// assert_eq!(fold_street("Langestr 5"), "langestrasse 5");
/// assert_eq!(fold_street("114 Donna St."), "114 donna street");
/// assert_eq!(fold_street("Avda. de la Constitución, 12"), "avenue de la constitucion 12");
/// assert_eq!(fold_street("P.za Turrini 210"), fold_street("Piazza Turrini 210"));
/// assert_eq!(fold_street("ul. Leśna 52"), "lesna 52");
/// ```
pub fn fold_street(raw: &str) -> String {
    let folded = fold(raw);
    let tokens: Vec<&str> = folded.split(' ').filter(|t| !t.is_empty()).collect();
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i];
        let next = tokens.get(i + 1).copied();
        if let Some(word) = next.and_then(|n| two_token_abbreviation(token, n)) {
            out.push(word.to_string());
            i += 2;
            continue;
        }
        i += 1;
        if is_dropped(token) {
            continue;
        }
        if is_number_marker(token) && number_follows(&tokens[i..]) {
            continue;
        }
        let word: String = match token {
            "st" => {
                if next.is_some_and(|n| starts_alphabetic(n) && !is_unit_word(n)) {
                    "saint".to_string()
                } else {
                    "street".to_string()
                }
            }
            // Spanish "C/ Mayor" and Italian "V. Roma" only at the start of the line,
            // where a lone letter cannot be a house-number suffix.
            "c" if out.is_empty() && next.is_some_and(starts_alphabetic) => "calle".to_string(),
            "v" if out.is_empty() && next.is_some_and(starts_alphabetic) => "via".to_string(),
            _ => match street_type(token) {
                Some(word) => word.to_string(),
                None => compound_suffix(token),
            },
        };
        let previous = out.last_mut();
        match previous {
            // A dropped token may have stood between the halves ("P. ul. za").
            Some(prev) if two_token_abbreviation(prev, &word).is_some() => {
                if let Some(joined) = two_token_abbreviation(prev, &word) {
                    *prev = joined.to_string();
                }
            }
            // "Lange Straße" and "Langestraße" are written both ways.
            Some(prev) if word == "strasse" && prev.bytes().all(|b| b.is_ascii_alphabetic()) => {
                prev.push_str("strasse");
            }
            // "12 a" and "12a" are the same house.
            Some(prev)
                if word.len() == 1
                    && word.as_bytes()[0].is_ascii_alphabetic()
                    && prev.bytes().all(|b| b.is_ascii_digit()) =>
            {
                prev.push_str(&word);
            }
            _ => out.push(word),
        }
    }
    out.join(" ")
}

/// Polish "ul." (street) is optional in practice, so it carries no information.
fn is_dropped(token: &str) -> bool {
    matches!(token, "ul" | "ulica")
}

fn starts_alphabetic(token: &str) -> bool {
    token
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_alphabetic)
}

/// Words after "St" that mean it was a street, not a saint ("Main St, Suite 5").
fn is_unit_word(token: &str) -> bool {
    matches!(
        token,
        "suite" | "ste" | "apt" | "unit" | "floor" | "fl" | "no" | "nr" | "building" | "bldg"
    )
}

/// "Nr. 5", "No 5": the marker adds nothing to the number.
fn is_number_marker(token: &str) -> bool {
    matches!(token, "nr" | "no" | "n" | "num" | "numero")
}

/// Whether a number follows, looking past further markers ("No. Nr. 5").
fn number_follows(rest: &[&str]) -> bool {
    rest.iter()
        .find(|t| !is_number_marker(t) && !is_dropped(t))
        .is_some_and(|t| t.as_bytes()[0].is_ascii_digit())
}

/// Italian abbreviations that folding splits in two (`V.le` → `v le`).
fn two_token_abbreviation(first: &str, second: &str) -> Option<&'static str> {
    Some(match (first, second) {
        ("v", "le") => "viale",
        ("p", "za" | "zza") => "place",
        ("p", "le") => "piazzale",
        ("c", "so") => "corso",
        ("l", "go") => "largo",
        ("v", "lo") => "vicolo",
        ("s", "da") => "strada",
        _ => return None,
    })
}

/// The key word for a street type or its abbreviation.
fn street_type(token: &str) -> Option<&'static str> {
    Some(match token {
        "street" => "street",
        "str" | "strasse" | "straat" => "strasse",
        "rd" => "road",
        "av" | "ave" | "avda" | "avd" | "avenida" | "avenue" => "avenue",
        "blvd" | "bd" | "bld" | "boul" | "boulevard" => "boulevard",
        "ln" | "laan" => "lane",
        "dr" => "drive",
        "ct" => "court",
        "pl" | "place" | "platz" | "plac" | "plaza" | "pza" | "plza" | "piazza" | "plein"
        | "pln" => "place",
        "sq" => "square",
        "hwy" => "highway",
        "pkwy" => "parkway",
        "cres" => "crescent",
        "ter" | "terr" => "terrace",
        "gdns" => "gardens",
        "ch" | "chem" => "chemin",
        "imp" => "impasse",
        "rte" => "route",
        "fbg" | "fg" => "faubourg",
        "cll" => "calle",
        "pso" => "paseo",
        "ctra" => "carretera",
        "gta" => "glorieta",
        "vle" => "viale",
        "cso" => "corso",
        "lgo" => "largo",
        "vic" => "vicolo",
        "al" | "aleje" => "aleja",
        "os" => "osiedle",
        _ => return None,
    })
}

/// German and Dutch compounds: `Langestr`/`Kerkstraat` end in the street type.
fn compound_suffix(token: &str) -> String {
    if let Some(stem) = token.strip_suffix("straat").filter(|s| !s.is_empty()) {
        return format!("{stem}strasse");
    }
    match token.strip_suffix("str") {
        Some(stem) if stem.len() >= 2 && stem.bytes().all(|b| b.is_ascii_alphabetic()) => {
            format!("{stem}strasse")
        }
        _ => token.to_string(),
    }
}

/// Tidies a postcode: upper case, whitespace collapsed to single spaces.
///
/// ```
/// use listmerge::normalize::address::postcode;
///
/// assert_eq!(postcode(" sw1a   1aa "), "SW1A 1AA");
/// assert_eq!(postcode("5923 ok"), "5923 OK");
/// assert_eq!(postcode("80331"), "80331");
/// ```
pub fn postcode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for (i, part) in raw.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&part.to_uppercase());
    }
    out
}

/// Every ISO 3166-1 alpha-2 code, so any code returns a `&'static str` from here.
const ISO_ALPHA2: &str =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ \
BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ \
DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT \
GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY \
KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX \
MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS \
RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN \
TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// The static ISO alpha-2 code equal to `code` (any case), if it is one.
///
/// A binary search of [`ISO_ALPHA2`] (sorted, one code every three bytes; a test checks
/// both): this runs for country cells and for every contact read back from disk, where
/// a scan of 249 codes was most of the work.
pub(crate) fn iso_alpha2(code: &str) -> Option<&'static str> {
    let &[a, b] = code.as_bytes() else {
        return None;
    };
    let want = [a.to_ascii_uppercase(), b.to_ascii_uppercase()];
    let table = ISO_ALPHA2.as_bytes();
    let (mut lo, mut hi) = (0, table.len().div_ceil(3));
    while lo < hi {
        let mid = (lo + hi) / 2;
        match table[3 * mid..3 * mid + 2].cmp(&want) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return ISO_ALPHA2.get(3 * mid..3 * mid + 2),
        }
    }
    None
}

/// Recognises a country written as a name (English, the local language and the big
/// European languages), an ISO alpha-2 or alpha-3 code, or a common variant
/// (`UK`, `U.S.A.`, `England`, `Holland`), and returns its ISO 3166 alpha-2 code.
///
/// ```
/// use listmerge::normalize::address::country_code;
///
/// assert_eq!(country_code("Deutschland"), Some("DE"));
/// assert_eq!(country_code("GERMANY"), Some("DE"));
/// assert_eq!(country_code("U.S.A."), Some("US"));
/// assert_eq!(country_code("République française"), Some("FR"));
/// assert_eq!(country_code("Scotland"), Some("GB"));
/// assert_eq!(country_code("pl"), Some("PL"));
/// assert_eq!(country_code("Atlantis"), None);
/// ```
pub fn country_code(raw: &str) -> Option<&'static str> {
    let folded = fold(raw);
    let key = folded.strip_prefix("the ").unwrap_or(&folded);
    if let Some(code) = country_name(key) {
        return Some(code);
    }
    match key {
        "uk" => Some("GB"),
        "el" => Some("GR"),
        _ => iso_alpha2(key),
    }
}

/// Folded country names and alpha-3 codes → alpha-2.
fn country_name(key: &str) -> Option<&'static str> {
    Some(match key {
        "germany"
        | "deutschland"
        | "allemagne"
        | "alemania"
        | "germania"
        | "duitsland"
        | "niemcy"
        | "tyskland"
        | "saksa"
        | "alemanha"
        | "brd"
        | "deu"
        | "ger"
        | "federal republic of germany"
        | "bundesrepublik deutschland" => "DE",
        "united kingdom"
        | "great britain"
        | "britain"
        | "england"
        | "scotland"
        | "wales"
        | "northern ireland"
        | "u k"
        | "g b"
        | "gbr"
        | "united kingdom of great britain and northern ireland"
        | "vereinigtes konigreich"
        | "grossbritannien"
        | "royaume uni"
        | "reino unido"
        | "regno unito"
        | "verenigd koninkrijk"
        | "wielka brytania"
        | "inghilterra"
        | "angleterre"
        | "inglaterra"
        | "engeland"
        | "anglia" => "GB",
        "united states"
        | "united states of america"
        | "usa"
        | "u s a"
        | "u s"
        | "us a"
        | "america"
        | "vereinigte staaten"
        | "etats unis"
        | "estados unidos"
        | "stati uniti"
        | "verenigde staten"
        | "stany zjednoczone"
        | "amerika" => "US",
        "france"
        | "frankreich"
        | "francia"
        | "frankrijk"
        | "francja"
        | "franca"
        | "republique francaise"
        | "fra" => "FR",
        "netherlands"
        | "nederland"
        | "holland"
        | "niederlande"
        | "pays bas"
        | "paises bajos"
        | "paesi bassi"
        | "holandia"
        | "nld"
        | "koninkrijk der nederlanden" => "NL",
        "spain" | "espana" | "spanien" | "espagne" | "spagna" | "spanje" | "hiszpania"
        | "espanha" | "esp" | "reino de espana" => "ES",
        "italy"
        | "italia"
        | "italien"
        | "italie"
        | "italie "
        | "wlochy"
        | "ita"
        | "repubblica italiana" => "IT",
        "poland" | "polska" | "polen" | "pologne" | "polonia" | "pol" | "rzeczpospolita polska" => {
            "PL"
        }
        "austria" | "osterreich" | "oesterreich" | "autriche" | "oostenrijk" | "aut" => "AT",
        "switzerland"
        | "schweiz"
        | "suisse"
        | "svizzera"
        | "svizra"
        | "suiza"
        | "zwitserland"
        | "szwajcaria"
        | "che"
        | "confoederatio helvetica"
        | "helvetia" => "CH",
        "belgium" | "belgique" | "belgie" | "belgien" | "belgica" | "belgio" | "belgia" | "bel" => {
            "BE"
        }
        "luxembourg" | "luxemburg" | "letzebuerg" | "lussemburgo" | "lux" => "LU",
        "ireland"
        | "eire"
        | "irland"
        | "irlande"
        | "irlanda"
        | "ierland"
        | "irl"
        | "republic of ireland" => "IE",
        "sweden" | "sverige" | "schweden" | "suede" | "suecia" | "svezia" | "zweden"
        | "szwecja" | "swe" => "SE",
        "denmark" | "danmark" | "danemark" | "dinamarca" | "danimarca" | "denemarken" | "dania"
        | "dnk" => "DK",
        "norway" | "norge" | "noreg" | "norwegen" | "norvege" | "noruega" | "norvegia"
        | "noorwegen" | "norwegia" | "nor" => "NO",
        "finland" | "suomi" | "finnland" | "finlande" | "finlandia" | "fin" => "FI",
        "iceland" | "island" | "islande" | "islandia" | "isl" => "IS",
        "portugal" | "portogallo" | "portugalia" | "prt" => "PT",
        "greece" | "hellas" | "ellada" | "griechenland" | "grece" | "grecia" | "griekenland"
        | "grecja" | "grc" => "GR",
        "czech republic" | "czechia" | "cesko" | "ceska republika" | "tschechien"
        | "republique tcheque" | "chequia" | "repubblica ceca" | "tsjechie" | "czechy" | "cze" => {
            "CZ"
        }
        "slovakia" | "slovensko" | "slowakei" | "slovaquie" | "eslovaquia" | "slovacchia"
        | "slowacja" | "svk" => "SK",
        "hungary" | "magyarorszag" | "ungarn" | "hongrie" | "hungria" | "ungheria"
        | "hongarije" | "wegry" | "hun" => "HU",
        "slovenia" | "slovenija" | "slowenien" | "slovenie" | "eslovenia" | "svn" => "SI",
        "croatia" | "hrvatska" | "kroatien" | "croatie" | "croacia" | "croazia" | "kroatie"
        | "chorwacja" | "hrv" => "HR",
        "serbia" | "srbija" | "serbien" | "serbie" | "srb" => "RS",
        "bosnia and herzegovina" | "bosnia" | "bosna i hercegovina" | "bih" => "BA",
        "romania" | "rumanien" | "roumanie" | "rumania" | "roemenie" | "rumunia" | "rou" => "RO",
        "bulgaria" | "balgariya" | "bulgarien" | "bulgarie" | "bulgarije" | "bgr" => "BG",
        "estonia" | "eesti" | "estland" | "estonie" | "est" => "EE",
        "latvia" | "latvija" | "lettland" | "lettonie" | "letonia" | "lva" => "LV",
        "lithuania" | "lietuva" | "litauen" | "lituanie" | "lituania" | "litwa" | "ltu" => "LT",
        "ukraine" | "ukraina" | "ucrania" | "ucraina" | "oekraine" | "ukr" => "UA",
        "belarus" | "weissrussland" | "bielorussie" | "blr" => "BY",
        "russia" | "russian federation" | "rossiya" | "russland" | "russie" | "rusia"
        | "rusland" | "rosja" | "rossiia" | "rossija" | "rus" => "RU",
        "turkey" | "turkiye" | "turkei" | "turquie" | "turquia" | "turchia" | "turkije"
        | "turcja" | "tur" => "TR",
        "cyprus" | "kypros" | "zypern" | "chypre" | "chipre" | "cipro" | "cyp" => "CY",
        "malta" | "mlt" => "MT",
        "monaco" | "mco" => "MC",
        "liechtenstein" | "lie" => "LI",
        "andorra" | "and" => "AD",
        "san marino" | "smr" => "SM",
        "albania" | "shqiperia" | "albanien" | "alb" => "AL",
        "north macedonia" | "macedonia" | "mkd" => "MK",
        "montenegro" | "crna gora" | "mne" => "ME",
        "moldova" | "mda" => "MD",
        "canada" | "kanada" | "can" => "CA",
        "mexico" | "mexiko" | "messico" | "mex" => "MX",
        "brazil" | "brasil" | "brasilien" | "bresil" | "brasile" | "brazylia" | "bra" => "BR",
        "argentina" | "argentinien" | "argentine" | "arg" => "AR",
        "chile" | "chili" | "chl" => "CL",
        "colombia" | "kolumbien" | "colombie" | "col" => "CO",
        "peru" | "per" => "PE",
        "venezuela" | "ven" => "VE",
        "uruguay" | "ury" => "UY",
        "ecuador" | "ecu" => "EC",
        "australia" | "australien" | "australie" | "aus" => "AU",
        "new zealand" | "aotearoa" | "neuseeland" | "nouvelle zelande" | "nueva zelanda"
        | "nzl" => "NZ",
        "japan" | "nippon" | "nihon" | "japon" | "giappone" | "jpn" => "JP",
        "china"
        | "people s republic of china"
        | "prc"
        | "chine"
        | "cina"
        | "chiny"
        | "chn"
        | "zhongguo" => "CN",
        "hong kong" | "hongkong" | "hkg" => "HK",
        "taiwan" | "twn" => "TW",
        "south korea" | "korea" | "republic of korea" | "sudkorea" | "coree du sud"
        | "corea del sur" | "kor" => "KR",
        "india" | "indien" | "inde" | "bharat" | "ind" => "IN",
        "pakistan" | "pak" => "PK",
        "bangladesh" | "bgd" => "BD",
        "singapore" | "singapur" | "singapour" | "sgp" => "SG",
        "malaysia" | "malaisie" | "mys" => "MY",
        "indonesia" | "indonesien" | "indonesie" | "idn" => "ID",
        "thailand" | "thailande" | "tailandia" | "tha" => "TH",
        "vietnam" | "viet nam" | "vnm" => "VN",
        "philippines" | "philippinen" | "filipinas" | "phl" => "PH",
        "israel" | "isr" => "IL",
        "united arab emirates"
        | "uae"
        | "u a e"
        | "emirates"
        | "vereinigte arabische emirate"
        | "emirats arabes unis"
        | "are" => "AE",
        "saudi arabia" | "saudi arabien" | "saudi-arabien" | "arabie saoudite" | "sau" => "SA",
        "qatar" | "katar" | "qat" => "QA",
        "egypt" | "agypten" | "egypte" | "egipto" | "egitto" | "egy" => "EG",
        "morocco" | "maroc" | "marokko" | "marruecos" | "marocco" | "mar" => "MA",
        "tunisia" | "tunisie" | "tunesien" | "tun" => "TN",
        "algeria" | "algerie" | "algerien" | "dza" => "DZ",
        "south africa" | "sudafrika" | "afrique du sud" | "sudafrica" | "zaf" | "rsa" => "ZA",
        "nigeria" | "nga" => "NG",
        "kenya" | "kenia" | "ken" => "KE",
        _ => return None,
    })
}

/// Guesses a country from the country-code top-level domain of a domain, an e-mail
/// address or a host (`.de` → DE, `.co.uk` → GB). Generic TLDs, and country TLDs that
/// are mostly sold as generic ones (`.io`, `.co`, `.tv`, `.me`, `.ai`, ...), give `None`.
///
/// ```
/// use listmerge::normalize::address::country_from_domain;
///
/// assert_eq!(country_from_domain("kobeltberatung.de"), Some("DE"));
/// assert_eq!(country_from_domain("armstrong2.co.uk"), Some("GB"));
/// assert_eq!(country_from_domain("jan@Bedrijf.NL"), Some("NL"));
/// assert_eq!(country_from_domain("example.com"), None);
/// assert_eq!(country_from_domain("startup.io"), None);
/// ```
pub fn country_from_domain(domain: &str) -> Option<&'static str> {
    let domain = domain.rsplit('@').next().unwrap_or(domain).trim();
    let domain = domain.trim_end_matches('.');
    let tld = domain.rsplit('.').next().unwrap_or(domain);
    if tld.len() == domain.len() || tld.len() != 2 {
        return None;
    }
    if tld.eq_ignore_ascii_case("uk") {
        return Some("GB");
    }
    let lower = tld.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "io" | "co"
            | "tv"
            | "me"
            | "ai"
            | "fm"
            | "ly"
            | "cc"
            | "ws"
            | "to"
            | "gg"
            | "nu"
            | "la"
            | "am"
            | "cd"
            | "sh"
            | "vc"
            | "so"
            | "st"
            | "tk"
            | "ml"
            | "ga"
            | "cf"
            | "gq"
            | "ag"
            | "im"
            | "gl"
            | "ps"
            | "bz"
    ) {
        return None;
    }
    iso_alpha2(tld)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_iso_code_is_found_in_any_case_and_nothing_else() {
        let codes: Vec<&str> = ISO_ALPHA2.split(' ').collect();
        assert_eq!(codes.len(), 249);
        assert!(codes.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
        assert_eq!(
            ISO_ALPHA2.len(),
            3 * codes.len() - 1,
            "one code every three bytes"
        );
        for c in &codes {
            assert_eq!(iso_alpha2(c), Some(*c));
            assert_eq!(iso_alpha2(&c.to_ascii_lowercase()), Some(*c));
        }
        for not in ["", "A", "AA", "ZZ", "D E", "DEU", "é", "00"] {
            assert_eq!(iso_alpha2(not), None, "{not}");
        }
    }

    #[test]
    fn english_street_types() {
        assert_eq!(
            fold_street("114 Donna Street"),
            fold_street("114 DONNA ST.")
        );
        assert_eq!(fold_street("12 Elm Rd"), "12 elm road");
        assert_eq!(fold_street("5 Park Ave."), "5 park avenue");
        assert_eq!(fold_street("1 Sunset Blvd"), "1 sunset boulevard");
        assert_eq!(fold_street("3 Mill Ln"), "3 mill lane");
        assert_eq!(fold_street("9 Ocean Dr."), "9 ocean drive");
        assert_eq!(fold_street("4 Kings Ct"), "4 kings court");
        assert_eq!(fold_street("2 Berkeley Sq"), "2 berkeley square");
        assert_eq!(fold_street("St. John's Road 7"), "saint john s road 7");
        assert_eq!(
            fold_street("210 Main St, Suite 360"),
            "210 main street suite 360"
        );
    }

    #[test]
    fn german_street_types() {
        assert_eq!(fold_street("Langestr 5"), "langestrasse 5");
        assert_eq!(fold_street("Lange Straße 5"), "langestrasse 5");
        assert_eq!(fold_street("Lange Str. 5"), "langestrasse 5");
        assert_eq!(
            fold_street("Schomberstraße 170"),
            fold_street("Schomberstr. 170")
        );
        assert_eq!(
            fold_street("WALTRUD-ROMER-STRASSE 126A"),
            fold_street("Waltrud-Römer-Str. 126 a")
        );
        assert_eq!(
            fold_street("Helene-Eberth-Pl. 54"),
            fold_street("Helene-Eberth-Platz 54")
        );
        assert_eq!(fold_street("Am Weg 3"), "am weg 3");
        assert_eq!(fold_street("Hauptstr. Nr. 5"), "hauptstrasse 5");
        // Austria and Switzerland write the same words.
        assert_eq!(
            fold_street("Mariahilfer Str. 1"),
            fold_street("Mariahilferstraße 1")
        );
        assert_eq!(
            fold_street("Bahnhofstrasse 10"),
            fold_street("Bahnhofstr. 10")
        );
    }

    #[test]
    fn french_spanish_italian_street_types() {
        assert_eq!(
            fold_street("12 av. Victor Hugo"),
            fold_street("12 avenue Victor Hugo")
        );
        assert_eq!(fold_street("3 bd Haussmann"), "3 boulevard haussmann");
        assert_eq!(
            fold_street("222 ch. Odette Briand"),
            "222 chemin odette briand"
        );
        assert_eq!(
            fold_street("8 pl. de la Concorde"),
            "8 place de la concorde"
        );
        assert_eq!(fold_street("C/ Mayor, 5"), "calle mayor 5");
        assert_eq!(fold_street("C. Mayor 5"), fold_street("Calle Mayor 5"));
        assert_eq!(
            fold_street("Avda. Diagonal 640"),
            fold_street("Avenida Diagonal 640")
        );
        assert_eq!(fold_street("Pza. Mayor 1"), fold_street("Plaza Mayor 1"));
        assert_eq!(fold_street("V. Roma 12"), fold_street("Via Roma 12"));
        assert_eq!(fold_street("V.le Monza 5"), fold_street("Viale Monza 5"));
        assert_eq!(fold_street("P.za Duomo 1"), fold_street("Piazza Duomo 1"));
        assert_eq!(fold_street("C.so Buenos Aires 3"), "corso buenos aires 3");
    }

    #[test]
    fn dutch_and_polish_street_types() {
        assert_eq!(fold_street("Kerkstraat 12"), fold_street("Kerkstr. 12"));
        assert_eq!(fold_street("Beukenln 4"), "beukenln 4");
        assert_eq!(fold_street("Stationsplein 1"), "stationsplein 1");
        assert_eq!(fold_street("Dam pln 1"), "dam place 1");
        assert_eq!(fold_street("ul. Leśna 52"), fold_street("Leśna 52"));
        assert_eq!(fold_street("ulica Nadbrzeżna 232"), "nadbrzezna 232");
        assert_eq!(
            fold_street("al. Jerozolimskie 65"),
            fold_street("Aleje Jerozolimskie 65")
        );
        assert_eq!(fold_street("pl. Defilad 1"), fold_street("Plac Defilad 1"));
    }

    #[test]
    fn house_numbers_are_kept() {
        assert_eq!(
            fold_street("166b rue de Deschamps"),
            "166b rue de deschamps"
        );
        assert_eq!(fold_street("Hauptstraße 12 a"), "hauptstrasse 12a");
        assert_ne!(fold_street("Hauptstraße 12"), fold_street("Hauptstraße 14"));
        assert_eq!(fold_street(""), "");
    }

    #[test]
    fn postcodes() {
        assert_eq!(postcode("ec1a  1bb"), "EC1A 1BB");
        assert_eq!(postcode(" 75008 "), "75008");
        assert_eq!(postcode("00-950"), "00-950");
        assert_eq!(postcode("1010 wien"), "1010 WIEN");
    }

    #[test]
    fn countries_in_many_languages() {
        let cases = [
            ("Germany", "DE"),
            ("DEUTSCHLAND", "DE"),
            ("de", "DE"),
            ("Allemagne", "DE"),
            ("UK", "GB"),
            ("Great Britain", "GB"),
            ("England", "GB"),
            ("Wales", "GB"),
            ("GB", "GB"),
            ("United Kingdom", "GB"),
            ("USA", "US"),
            ("U.S.A.", "US"),
            ("United States of America", "US"),
            ("America", "US"),
            ("The United States", "US"),
            ("France", "FR"),
            ("République française", "FR"),
            ("Nederland", "NL"),
            ("The Netherlands", "NL"),
            ("Holland", "NL"),
            ("España", "ES"),
            ("Espana", "ES"),
            ("Spain", "ES"),
            ("Italia", "IT"),
            ("Polska", "PL"),
            ("Österreich", "AT"),
            ("Oesterreich", "AT"),
            ("Schweiz", "CH"),
            ("Suisse", "CH"),
            ("Svizzera", "CH"),
            ("Belgique", "BE"),
            ("België", "BE"),
            ("Ireland", "IE"),
            ("Éire", "IE"),
            ("Sverige", "SE"),
            ("Danmark", "DK"),
            ("Norge", "NO"),
            ("Suomi", "FI"),
            ("Portugal", "PT"),
            ("Brasil", "BR"),
            ("Canada", "CA"),
            ("Australia", "AU"),
            ("Česká republika", "CZ"),
            ("Magyarország", "HU"),
            ("Ελλάδα", "GR"),
            ("Россия", "RU"),
            ("Türkiye", "TR"),
            ("DEU", "DE"),
            ("fra", "FR"),
            ("EL", "GR"),
            ("jp", "JP"),
            ("  new   zealand ", "NZ"),
        ];
        for (raw, code) in cases {
            assert_eq!(country_code(raw), Some(code), "{raw}");
        }
        for raw in ["", "Atlantis", "XX", "EU", "n/a"] {
            assert_eq!(country_code(raw), None, "{raw}");
        }
    }

    #[test]
    fn at_least_sixty_countries() {
        let codes: std::collections::BTreeSet<&str> = [
            "germany",
            "united kingdom",
            "usa",
            "france",
            "netherlands",
            "spain",
            "italy",
            "poland",
            "austria",
            "switzerland",
            "belgium",
            "luxembourg",
            "ireland",
            "sweden",
            "denmark",
            "norway",
            "finland",
            "iceland",
            "portugal",
            "greece",
            "czechia",
            "slovakia",
            "hungary",
            "slovenia",
            "croatia",
            "serbia",
            "bosnia",
            "romania",
            "bulgaria",
            "estonia",
            "latvia",
            "lithuania",
            "ukraine",
            "belarus",
            "russia",
            "turkey",
            "cyprus",
            "malta",
            "monaco",
            "liechtenstein",
            "andorra",
            "san marino",
            "albania",
            "macedonia",
            "montenegro",
            "moldova",
            "canada",
            "mexico",
            "brazil",
            "argentina",
            "chile",
            "colombia",
            "peru",
            "venezuela",
            "uruguay",
            "ecuador",
            "australia",
            "new zealand",
            "japan",
            "china",
            "hong kong",
            "taiwan",
            "korea",
            "india",
            "singapore",
            "israel",
            "egypt",
            "morocco",
            "south africa",
            "kenya",
        ]
        .iter()
        .filter_map(|n| country_code(n))
        .collect();
        assert!(codes.len() >= 70, "{}", codes.len());
    }

    #[test]
    fn countries_from_domains() {
        assert_eq!(country_from_domain("perez.fr"), Some("FR"));
        assert_eq!(country_from_domain("necci.it"), Some("IT"));
        assert_eq!(country_from_domain("tallereslasa.es"), Some("ES"));
        assert_eq!(country_from_domain("mysior.pl"), Some("PL"));
        assert_eq!(country_from_domain("firma.ch"), Some("CH"));
        assert_eq!(country_from_domain("firma.at"), Some("AT"));
        assert_eq!(country_from_domain("ey.nl"), Some("NL"));
        assert_eq!(country_from_domain("example.com"), None);
        assert_eq!(country_from_domain("example.eu"), None);
        assert_eq!(country_from_domain("de"), None);
        assert_eq!(country_from_domain(""), None);
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_idempotent(s in "\\PC{0,40}") {
            let f = fold_street(&s);
            proptest::prop_assert_eq!(fold_street(&f), f);
            let p = postcode(&s);
            proptest::prop_assert_eq!(postcode(&p), p);
            let _ = country_code(&s);
            let _ = country_from_domain(&s);
        }

        #[test]
        fn street_key_idempotent_on_street_like_text(
            words in proptest::collection::vec(
                "(st|str|Str\\.|Straße|lange|straat|12|a|b|no|nr|ul\\.|c|v|le|p|za|c\\.so|Main|St\\.|Suite|5|pl|Rd)",
                0..7,
            )
        ) {
            let s = words.join(" ");
            let f = fold_street(&s);
            proptest::prop_assert_eq!(fold_street(&f), f);
        }
    }
}
