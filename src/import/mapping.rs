//! Automatic header mapping: which [`Field`] a column header means.
//!
//! Input: one header cell as written. Output: a [`Guess`] (a field plus how the column
//! relates to its neighbours), or `None` when the column is not recognised and is kept
//! as a custom field.
//!
//! Headers are compared as *keys*: folded to lower-case ASCII ([`crate::normalize::fold::fold`]: `ä`→`a`,
//! `ß`→`ss`), with spaces, punctuation and digits removed. The digits are kept aside as
//! the column's number, so `Email 2`, `E-mail 3 Address` and `E-Mail 2: Adresse` all
//! find the e-mail entry, and `Business Street 2` is known to be a second street line.
//!
//! The table covers the exports people actually have: Outlook (English and German),
//! Google Contacts (old and new layout), Mailchimp, HubSpot, Salesforce, LinkedIn,
//! Thunderbird, macOS Contacts (German), Tine 2.0, and plain `name,email,phone` files,
//! plus the common fields in German, French, Spanish and Dutch.
//!
//! Some exports were saved through a broken code-page conversion, so their headers hold
//! U+FFFD where an umlaut was (`Stra�e gesch�ftlich`). Those headers are matched
//! against a second table whose keys were built with every non-ASCII letter removed.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::model::Field;
use crate::normalize::fold::fold_into;

/// An address group: which of a contact's addresses a column belongs to. A row's
/// address is taken from one group only, so a business street never gets paired with
/// a home city.
pub type Group = u8;
/// Business / work / mailing address, or an address column without a qualifier.
pub const WORK: Group = 0;
/// Home / private address.
pub const HOME: Group = 1;
/// Other / shipping address.
pub const OTHER: Group = 2;

/// What a header means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guess {
    /// A plain field.
    Field(Field),
    /// A part of a postal address, in an address group. `append` marks a second or
    /// third street line, which is joined to the street value instead of repeating it.
    Address {
        /// The address field (street, city, region, postcode, country).
        field: Field,
        /// The address group.
        group: Group,
        /// A continuation line of the street.
        append: bool,
    },
    /// `Title`: a job title, unless the file also has a job-title column, in which case
    /// it is the name prefix (Outlook writes `Title` for `Mr.`/`Dr.`).
    AmbiguousTitle,
    /// Google's `Phone N - Value`: the kind comes from the row's `Phone N - Type` cell.
    PhoneValue(u32),
    /// Google's `Phone N - Type` (or `- Label`) column.
    PhoneType(u32),
}

/// How a table entry is to be read.
#[derive(Debug, Clone, Copy)]
enum Kind {
    F(Field),
    Addr(Field, Group),
    /// Google's `Address N - Street`: the number is the address group.
    NumberedAddr(Field),
    /// A street continuation line whatever its number (`Billing Apt/Suite`).
    StreetLine(Group),
    Title,
    PhoneValue,
    PhoneType,
}

/// Maps a header to a field, if it is a known one.
///
/// ```
/// use listmerge::import::mapping::auto;
/// use listmerge::model::Field;
/// assert_eq!(auto("E-Mail-Adresse"), Some(Field::Email));
/// assert_eq!(auto("Mailing Zip/Postal Code"), Some(Field::Postcode));
/// assert_eq!(auto("Favourite colour"), None);
/// ```
pub fn auto(header: &str) -> Option<Field> {
    Some(match guess(header)? {
        Guess::Field(f) | Guess::Address { field: f, .. } => f,
        Guess::AmbiguousTitle => Field::Title,
        Guess::PhoneValue(_) => Field::Phone,
        Guess::PhoneType(_) => return None,
    })
}

/// Classifies a header (see the module docs for how headers are compared).
pub fn guess(header: &str) -> Option<Guess> {
    // Thunderbird's `Birth Day` (day of month, next to `Birth Year` and `Birth Month`)
    // has the same key as `Birthday`.
    if header.trim().eq_ignore_ascii_case("birth day") {
        return None;
    }
    let (key, number) = key(header);
    if key.is_empty() {
        return None;
    }
    let tables = tables();
    let kind = match tables.exact.get(&key) {
        Some(k) => *k,
        // A header mangled by a bad conversion: compare with the umlauts left out.
        None if header.contains('\u{FFFD}') => {
            let stripped: String = header.chars().filter(char::is_ascii).collect();
            *tables.lossy.get(&self::key(&stripped).0)?
        }
        None => return None,
    };
    let n = number.unwrap_or(1);
    Some(match kind {
        Kind::F(f) => Guess::Field(f),
        Kind::Addr(field, group) => Guess::Address {
            field,
            group,
            append: field == Field::Street && n >= 2,
        },
        Kind::NumberedAddr(field) => Guess::Address {
            field,
            group: (n.saturating_sub(1)).min(OTHER as u32) as Group,
            append: false,
        },
        Kind::StreetLine(group) => Guess::Address {
            field: Field::Street,
            group,
            append: true,
        },
        Kind::Title => Guess::AmbiguousTitle,
        Kind::PhoneValue => Guess::PhoneValue(n),
        Kind::PhoneType => Guess::PhoneType(n),
    })
}

/// Where one column of a file goes, once its header has been mapped. Shared by the
/// importers of delimited text and of workbooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Col {
    /// Dropped on the user's word (`ColumnTarget::Ignore`).
    Drop,
    /// Always the same target.
    Plain(crate::model::Target),
    /// Part of an address group: the known field when the row's address is taken from
    /// this group, else kept as the custom column `other`.
    Address {
        field: Field,
        group: Group,
        append: bool,
        other: crate::model::Target,
    },
    /// Google's `Phone N - Value`: the field depends on the row's `Phone N - Type`.
    Phone {
        kind_col: Option<usize>,
        other: crate::model::Target,
    },
}

/// Files one non-empty, trimmed `value` of column `col` into the row's `values`.
/// `address_group` is the group the row's address is taken from; `phone_type` gives
/// the row's `Phone N - Type` cell for a column index, if filled in. A second street
/// line is appended to the first.
pub(crate) fn place(
    values: &mut crate::model::ValuesBuilder,
    col: &Col,
    value: &str,
    address_group: Option<Group>,
    phone_type: impl FnOnce(usize) -> Option<String>,
) {
    use crate::model::Target;
    let target = match *col {
        Col::Drop => return,
        Col::Plain(t) => t,
        Col::Address {
            field,
            group,
            append,
            other,
        } => {
            if Some(group) != address_group {
                other
            } else if append {
                let known = Target::Known(field);
                if values.append_to(known, value) {
                    return;
                }
                known
            } else {
                Target::Known(field)
            }
        }
        Col::Phone { kind_col, other } => match kind_col.and_then(phone_type) {
            None => Target::Known(Field::Phone),
            Some(k) => phone_kind(&k).map_or(other, Target::Known),
        },
    };
    values.push(target, value);
}

/// The phone field a Google `Phone N - Type` value stands for (`Mobile`, `Work Fax`,
/// `Home`, ...). `None` for kinds that are not a phone to call (pager).
pub fn phone_kind(kind: &str) -> Option<Field> {
    // The kind is a short label; a small lower-case copy is cheaper than being clever.
    let k = kind.trim().to_lowercase();
    let has = |w: &str| k.contains(w);
    Some(if has("fax") {
        Field::Fax
    } else if has("pager") {
        return None;
    } else if has("mobil") || has("cell") || has("handy") || has("portable") || has("móvil") {
        Field::Mobile
    } else if has("home") || has("privat") || has("domicile") || has("casa") || has("thuis") {
        Field::HomePhone
    } else {
        Field::Phone
    })
}

/// The comparison key of a header and the first number in it.
fn key(header: &str) -> (String, Option<u32>) {
    let mut folded = String::with_capacity(header.len());
    fold_into(header, &mut folded);
    let mut key = String::with_capacity(folded.len());
    let mut number: Option<u32> = None;
    let mut in_digits = false;
    let mut seen_number = false;
    for c in folded.chars() {
        if let Some(d) = c.to_digit(10) {
            if !seen_number || in_digits {
                number = Some(number.unwrap_or(0).saturating_mul(10).saturating_add(d));
                in_digits = true;
                seen_number = true;
            }
        } else {
            in_digits = false;
            if c != ' ' {
                key.push(c);
            }
        }
    }
    (key, number)
}

struct Tables {
    exact: HashMap<String, Kind>,
    lossy: HashMap<String, Kind>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut exact = HashMap::new();
        let mut lossy = HashMap::new();
        for (kind, aliases) in TABLE {
            for alias in *aliases {
                let (k, _) = key(alias);
                // The first entry wins, so the table's order settles overlaps.
                exact.entry(k).or_insert(*kind);
                let stripped: String = alias.chars().filter(char::is_ascii).collect();
                lossy.entry(key(&stripped).0).or_insert(*kind);
            }
        }
        Tables { exact, lossy }
    })
}

use Field::*;

/// Every alias as it appears in some export (spelling as written; the key is built
/// from it). Digits in an alias are ignored, so numbered columns need one entry.
#[rustfmt::skip]
const TABLE: &[(Kind, &[&str])] = &[
    (Kind::F(RecordKey), &[
        "id", "record id", "record_id", "contact id", "uid", "uuid", "lead id", "customer id",
        "kontakt id", "kundennummer", "customernumber",
    ]),
    (Kind::F(Source), &["source", "source_system", "source system", "quelle", "herkunft"]),
    (Kind::F(Prefix), &[
        "prefix", "name prefix", "salutation", "anrede", "civilité", "civilite", "titre de civilité",
        "tratamiento", "saludo", "aanhef", "n_prefix", "greeting", "cp_greeting",
    ]),
    (Kind::F(GivenName), &[
        "first name", "firstname", "first", "given name", "givenname", "forename", "vorname",
        "prénom", "nombre", "primer nombre", "voornaam", "roepnaam", "n_given", "fname",
        "contact_first_name", "cp_givenname",
    ]),
    (Kind::F(MiddleName), &[
        "middle name", "middle", "additional name", "weitere vornamen", "zweiter vorname",
        "deuxième prénom", "autres prénoms", "segundo nombre", "n_middle",
        // Dutch family-name particle ("van der"): kept next to the given name so that
        // given + middle + family reads as the full name.
        "tussenvoegsel",
    ]),
    (Kind::F(FamilyName), &[
        "last name", "lastname", "last", "surname", "family name", "familyname", "nachname",
        "familienname", "nom", "nom de famille", "apellido", "apellidos", "primer apellido",
        "achternaam", "n_family", "lname", "contact_last_name", "cp_name",
    ]),
    (Kind::F(Suffix), &["suffix", "name suffix", "namenszusatz", "suffixe", "sufijo", "achtervoegsel", "n_suffix"]),
    (Kind::F(FullName), &[
        "name", "full name", "fullname", "display name", "displayname", "contact name",
        "client name", "anzeigename", "vollständiger name", "nom complet", "nom d'affichage",
        "nombre completo", "volledige naam", "weergavenaam", "n_fn",
    ]),
    (Kind::F(Nickname), &["nickname", "nick name", "spitzname", "surnom", "apodo", "bijnaam"]),
    (Kind::Title, &["title", "titel", "titre"]),
    (Kind::F(Title), &[
        "job title", "jobtitle", "position", "job", "role", "berufsbezeichnung", "funktion",
        "stellung", "fonction", "poste", "intitulé du poste", "cargo", "puesto", "functie",
        "organization title", "cp_title",
    ]),
    (Kind::F(Company), &[
        "company", "company name", "organization", "organisation", "organization name",
        "account name", "account", "firma", "firmenname", "unternehmen", "société", "societe",
        "entreprise", "empresa", "compañía", "bedrijf", "bedrijfsnaam", "organisatie",
        "org_name", "organization_name", "employer",
    ]),
    (Kind::F(Department), &[
        "department", "organization department", "abteilung", "service", "département",
        "departamento", "afdeling", "org_unit", "department_1",
    ]),
    (Kind::F(Email), &[
        "email", "e-mail", "email address", "e-mail address", "emailaddress", "mail",
        "email value", "primary email", "secondary email", "work email", "home email",
        "other email", "personal email", "business email", "e-mail-adresse", "e-mail adresse",
        "emailadresse", "e-mail: adresse", "arbeit e-mail", "privat e-mail", "andere e-mail",
        "courriel", "adresse e-mail", "adresse électronique", "adresse de messagerie",
        "correo", "correo electrónico", "dirección de correo electrónico", "e-mailadres",
        "e-mail adres", "email_home", "cp_email",
    ]),
    (Kind::F(Mobile), &[
        "mobile", "mobile phone", "mobile phone number", "mobile number", "mobile telephone",
        "cell", "cell phone", "cellphone", "cellular", "mobil", "mobiltelefon", "mobilnummer",
        "handy", "handynummer", "téléphone mobile", "téléphone portable", "portable", "mobile",
        "móvil", "teléfono móvil", "celular", "mobiel", "mobiele telefoon", "mobiel nummer",
        "tel_cell", "tel_cell_private", "cp_mobile",
    ]),
    (Kind::F(HomePhone), &[
        "home phone", "home telephone", "private phone", "telefon privat", "privat telefon",
        "téléphone domicile", "téléphone personnel", "teléfono particular", "teléfono de casa",
        "telefoon thuis", "tel_home",
    ]),
    (Kind::F(Fax), &[
        "fax", "fax number", "business fax", "work fax", "home fax", "other fax",
        "fax geschäftlich", "fax privat", "weiteres fax", "arbeit fax", "privat fax",
        "télécopie", "télécopie bureau", "tel_fax", "tel_fax_home",
    ]),
    (Kind::F(Phone), &[
        "phone", "phone number", "telephone", "telephone number", "tel", "business phone",
        "work phone", "primary phone", "main phone", "company main phone", "other phone",
        "office phone", "telefon", "telefonnummer", "telefon geschäftlich", "telefon firma",
        "haupttelefon", "hauptnummer", "weiteres telefon", "arbeit telefon", "téléphone",
        "téléphone bureau", "téléphone travail", "teléfono", "teléfono del trabajo",
        "telefoon", "telefoonnummer", "telefoon werk", "tel_work", "cp_phone",
    ]),
    (Kind::PhoneValue, &["phone - value", "phone value"]),
    (Kind::PhoneType, &["phone - type", "phone type", "phone - label", "phone label"]),
    (Kind::Addr(Street, WORK), &[
        "street", "street address", "address", "address line", "addressline", "address_line",
        "business street", "business address", "work street", "work address", "mailing street",
        "mailing address", "billing street", "billing address", "straße", "strasse",
        "adresse", "anschrift", "straße geschäftlich", "arbeitsadresse strasse", "rue",
        "adresse bureau", "rue (bureau)", "calle", "dirección", "dirección del trabajo",
        "straat", "adres", "adr_one_street", "street1",
    ]),
    (Kind::StreetLine(WORK), &["billing apt/suite", "address 2", "address line 2", "apt/suite"]),
    (Kind::Addr(City, WORK), &[
        "city", "town", "business city", "work city", "mailing city", "billing city", "ort",
        "stadt", "ort geschäftlich", "arbeitsadresse stadt", "ville", "ville (bureau)",
        "ciudad", "localidad", "población", "plaats", "woonplaats", "stad", "locality",
        "adr_one_locality",
    ]),
    (Kind::Addr(Region, WORK), &[
        "state", "province", "region", "state/province", "state/region", "province/state",
        "county", "business state", "work state", "mailing state/province", "mailing state",
        "billing state/province", "region geschäftlich", "bundesland", "kanton",
        "arbeitsadresse bundesland", "région", "état", "département/région", "provincia",
        "estado", "provincie", "adr_one_region",
    ]),
    (Kind::Addr(Postcode, WORK), &[
        "postcode", "post code", "postal code", "zip", "zip code", "zipcode", "zip/postal code",
        "postal code/zip code", "business postal code", "work zipcode", "work zip",
        "mailing zip/postal code", "billing postal code", "postleitzahl",
        "postleitzahl geschäftlich", "plz", "arbeitsadresse plz", "code postal",
        "code postal (bureau)", "código postal", "cp", "adr_one_postalcode",
    ]),
    (Kind::Addr(Country, WORK), &[
        "country", "country/region", "country region", "country code", "countryname",
        "business country", "business country/region", "work country", "mailing country",
        "billing country", "land", "land/region", "land/region geschäftlich",
        "arbeitsadresse land", "pays", "pays/région", "país", "país/región",
        "adr_one_countryname",
    ]),
    (Kind::Addr(Street, HOME), &[
        "home street", "home address", "straße privat", "privatadresse strasse",
        "rue (domicile)", "calle del domicilio", "adr_two_street",
    ]),
    (Kind::Addr(City, HOME), &["home city", "ort privat", "privatadresse stadt", "ville (domicile)", "adr_two_locality"]),
    (Kind::Addr(Region, HOME), &["home state", "bundesland/kanton privat", "privatadresse bundesland", "adr_two_region"]),
    (Kind::Addr(Postcode, HOME), &[
        "home postal code", "home zipcode", "home zip", "postleitzahl privat",
        "privatadresse plz", "code postal (domicile)", "adr_two_postalcode",
    ]),
    (Kind::Addr(Country, HOME), &[
        "home country", "home country/region", "land/region privat", "privatadresse land",
        "adr_two_countryname",
    ]),
    (Kind::Addr(Street, OTHER), &[
        "other street", "other address", "shipping street", "shipping address", "weitere straße",
        "andere adr. strasse",
    ]),
    (Kind::StreetLine(OTHER), &["shipping apt/suite"]),
    (Kind::Addr(City, OTHER), &["other city", "shipping city", "weiterer ort", "andere adr. stadt"]),
    (Kind::Addr(Region, OTHER), &[
        "other state", "other state/province", "shipping state/province",
        "weiteres/r bundesland/kanton", "andere adr. bundesland",
    ]),
    (Kind::Addr(Postcode, OTHER), &[
        "other postal code", "other zip/postal code", "shipping postal code",
        "weitere postleitzahl", "andere adr. plz",
    ]),
    (Kind::Addr(Country, OTHER), &[
        "other country", "other country/region", "shipping country", "weiteres/e land/region",
        "andere adr. land",
    ]),
    (Kind::NumberedAddr(Street), &["address - street"]),
    (Kind::NumberedAddr(City), &["address - city"]),
    (Kind::NumberedAddr(Region), &["address - region", "address - state"]),
    (Kind::NumberedAddr(Postcode), &["address - postal code"]),
    (Kind::NumberedAddr(Country), &["address - country"]),
    (Kind::F(Website), &[
        "website", "web site", "web page", "webpage", "homepage", "home page", "url",
        "website - value", "webseite", "internetseite", "site web", "site internet",
        "sitio web", "página web", "url_home",
    ]),
    (Kind::F(Birthday), &[
        "birthday", "birth date", "birthdate", "date of birth", "dob", "geburtstag",
        "geburtsdatum", "anniversaire", "date de naissance", "fecha de nacimiento",
        "cumpleaños", "verjaardag", "geboortedatum", "bday",
    ]),
    (Kind::F(Notes), &[
        "notes", "note", "comments", "comment", "notizen", "notiz", "bemerkung",
        "bemerkungen", "kommentar", "remarques", "commentaires", "notas", "comentarios",
        "opmerkingen", "notities",
    ]),
    (Kind::F(Unsubscribed), &[
        "unsubscribed", "unsubscribe", "unsub_time", "unsubscribe date", "unsubscribed date",
        "email opt out", "opted out", "opt out", "opt-out", "opted out of email",
        "do not email", "donotemail", "hasoptedoutofemail",
        "unsubscribed from all email", "abgemeldet", "newsletter abbestellt",
        "désabonné", "désinscrit", "dado de baja", "baja", "afgemeld", "uitgeschreven",
    ]),
    (Kind::F(Bounced), &[
        "bounced", "bounce", "hard bounce", "email bounced", "clean_time", "cleaned",
        "email hard bounce reason", "email bounce", "unzustellbar", "rebond", "rebotado",
    ]),
    (Kind::F(Status), &[
        "status", "member status", "subscription status", "email status", "marketing status",
        "marketing contact status", "newsletter status", "statut", "estado de suscripción",
    ]),
    (Kind::F(Updated), &[
        "last modified date", "last modified", "modified", "modified date", "updated",
        "updated at", "updated_at", "last updated", "last_changed", "last changed",
        "date modified", "geändert", "zuletzt geändert", "änderungsdatum",
        "date de modification", "fecha de modificación", "gewijzigd", "laatst gewijzigd",
    ]),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(headers: &str, sep: char) -> Vec<Option<Field>> {
        headers.split(sep).map(auto).collect()
    }

    #[test]
    fn keys_fold_case_punctuation_and_numbers() {
        assert_eq!(key("E-mail 3 Address"), ("emailaddress".into(), Some(3)));
        assert_eq!(
            key("  Straße geschäftlich 2 "),
            ("strassegeschaftlich".into(), Some(2))
        );
        assert_eq!(key("adr_one_street2"), ("adronestreet".into(), Some(2)));
        assert_eq!(key("Phone 12 - Value"), ("phonevalue".into(), Some(12)));
    }

    #[test]
    fn outlook_english() {
        let h = "Title,First Name,Middle Name,Last Name,Suffix,Company,Department,Job Title,\
                 Business Street,Business Street 2,Business City,Business State,\
                 Business Postal Code,Business Country/Region,Home Street,Home City,\
                 Business Fax,Business Phone,Home Phone,Mobile Phone,E-mail Address,\
                 E-mail 2 Address,E-mail 3 Address,Notes,Web Page,Birthday";
        use Field::*;
        let want = [
            Some(Title),
            Some(GivenName),
            Some(MiddleName),
            Some(FamilyName),
            Some(Suffix),
            Some(Company),
            Some(Department),
            Some(Title),
            Some(Street),
            Some(Street),
            Some(City),
            Some(Region),
            Some(Postcode),
            Some(Country),
            Some(Street),
            Some(City),
            Some(Fax),
            Some(Phone),
            Some(HomePhone),
            Some(Mobile),
            Some(Email),
            Some(Email),
            Some(Email),
            Some(Notes),
            Some(Website),
            Some(Birthday),
        ];
        assert_eq!(fields(h, ','), want);
        assert_eq!(guess("Title"), Some(Guess::AmbiguousTitle));
        assert_eq!(
            guess("Business Street 2"),
            Some(Guess::Address {
                field: Street,
                group: WORK,
                append: true
            })
        );
        assert_eq!(
            guess("Home Street"),
            Some(Guess::Address {
                field: Street,
                group: HOME,
                append: false
            })
        );
    }

    #[test]
    fn outlook_german() {
        let h = "Anrede;Vorname;Weitere Vornamen;Nachname;Suffix;Firma;Abteilung;Position;\
                 Straße geschäftlich;Straße geschäftlich 2;Ort geschäftlich;Region geschäftlich;\
                 Postleitzahl geschäftlich;Land/Region geschäftlich;Straße privat;Ort privat;\
                 Fax geschäftlich;Telefon geschäftlich;Telefon geschäftlich 2;Telefon privat;\
                 Mobiltelefon;E-Mail-Adresse;E-Mail 2: Adresse;Notizen;Webseite;Geburtstag";
        use Field::*;
        let want = [
            Some(Prefix),
            Some(GivenName),
            Some(MiddleName),
            Some(FamilyName),
            Some(Suffix),
            Some(Company),
            Some(Department),
            Some(Title),
            Some(Street),
            Some(Street),
            Some(City),
            Some(Region),
            Some(Postcode),
            Some(Country),
            Some(Street),
            Some(City),
            Some(Fax),
            Some(Phone),
            Some(Phone),
            Some(HomePhone),
            Some(Mobile),
            Some(Email),
            Some(Email),
            Some(Notes),
            Some(Website),
            Some(Birthday),
        ];
        assert_eq!(fields(h, ';'), want);
        assert_eq!(auto("E-Mail: Angezeigter Name"), None);
        assert_eq!(auto("E-Mail-Typ"), None);
    }

    #[test]
    fn outlook_german_with_mangled_umlauts() {
        assert_eq!(
            guess("Stra\u{FFFD}e gesch\u{FFFD}ftlich 3"),
            Some(Guess::Address {
                field: Field::Street,
                group: WORK,
                append: true
            })
        );
        assert_eq!(
            auto("Postleitzahl gesch\u{FFFD}ftlich"),
            Some(Field::Postcode)
        );
        assert_eq!(auto("Telefon gesch\u{FFFD}ftlich"), Some(Field::Phone));
        assert_eq!(auto("Stra\u{FFFD}e privat"), Some(Field::Street));
        assert_eq!(auto("R\u{FFFD}ckmeldung"), None);
    }

    #[test]
    fn google_old_and_new() {
        use Field::*;
        let old = "Name,Given Name,Additional Name,Family Name,Name Prefix,Name Suffix,Nickname,\
                   Birthday,Notes,E-mail 1 - Type,E-mail 1 - Value,Organization 1 - Name,\
                   Organization 1 - Title,Website 1 - Value";
        let want = [
            Some(FullName),
            Some(GivenName),
            Some(MiddleName),
            Some(FamilyName),
            Some(Prefix),
            Some(Suffix),
            Some(Nickname),
            Some(Birthday),
            Some(Notes),
            None,
            Some(Email),
            Some(Company),
            Some(Title),
            Some(Website),
        ];
        assert_eq!(fields(old, ','), want);
        assert_eq!(guess("Phone 3 - Value"), Some(Guess::PhoneValue(3)));
        assert_eq!(guess("Phone 3 - Type"), Some(Guess::PhoneType(3)));
        assert_eq!(guess("Phone 1 - Label"), Some(Guess::PhoneType(1)));
        assert_eq!(
            guess("Address 2 - Postal Code"),
            Some(Guess::Address {
                field: Postcode,
                group: HOME,
                append: false
            })
        );
        let new = "First Name,Middle Name,Last Name,Nickname,E-mail 1 - Value,E-mail 2 - Value";
        assert_eq!(
            fields(new, ','),
            [
                Some(GivenName),
                Some(MiddleName),
                Some(FamilyName),
                Some(Nickname),
                Some(Email),
                Some(Email)
            ]
        );
        assert_eq!(phone_kind("Mobile"), Some(Mobile));
        assert_eq!(phone_kind("Work Fax"), Some(Fax));
        assert_eq!(phone_kind(" Home "), Some(HomePhone));
        assert_eq!(phone_kind("Main"), Some(Phone));
        assert_eq!(phone_kind("Pager"), None);
    }

    #[test]
    fn mailchimp() {
        use Field::*;
        let h = "Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,UNSUB_TIME,\
                 CLEAN_TIME,LAST_CHANGED,Status";
        assert_eq!(
            fields(h, ','),
            [
                Some(Email),
                Some(GivenName),
                Some(FamilyName),
                None,
                None,
                Some(Unsubscribed),
                Some(Bounced),
                Some(Updated),
                Some(Status)
            ]
        );
    }

    #[test]
    fn hubspot() {
        use Field::*;
        let h = "Record ID,First Name,Last Name,Email,Phone Number,Mobile Phone Number,\
                 Company Name,Job Title,Street Address,City,Postal Code,Country/Region,\
                 Last Modified Date,State/Region";
        assert_eq!(
            fields(h, ','),
            [
                Some(RecordKey),
                Some(GivenName),
                Some(FamilyName),
                Some(Email),
                Some(Phone),
                Some(Mobile),
                Some(Company),
                Some(Title),
                Some(Street),
                Some(City),
                Some(Postcode),
                Some(Country),
                Some(Updated),
                Some(Region)
            ]
        );
    }

    #[test]
    fn salesforce() {
        use Field::*;
        let h = "Contact ID,Salutation,First Name,Last Name,Title,Account Name,Mailing Street,\
                 Mailing City,Mailing Zip/Postal Code,Mailing Country,Phone,Mobile,Email,\
                 Email Opt Out,Last Modified Date";
        assert_eq!(
            fields(h, ','),
            [
                Some(RecordKey),
                Some(Prefix),
                Some(GivenName),
                Some(FamilyName),
                Some(Title),
                Some(Company),
                Some(Street),
                Some(City),
                Some(Postcode),
                Some(Country),
                Some(Phone),
                Some(Mobile),
                Some(Email),
                Some(Unsubscribed),
                Some(Updated)
            ]
        );
    }

    #[test]
    fn linkedin_thunderbird_and_plain() {
        use Field::*;
        assert_eq!(
            fields(
                "First Name,Last Name,URL,Email Address,Company,Position,Connected On",
                ','
            ),
            [
                Some(GivenName),
                Some(FamilyName),
                Some(Website),
                Some(Email),
                Some(Company),
                Some(Title),
                None
            ]
        );
        assert_eq!(
            fields("Display Name,Primary Email,Secondary Email,Work Phone,Mobile Number,Fax Number,Pager Number,Organization,Home Address 2", ','),
            [
                Some(FullName), Some(Email), Some(Email), Some(Phone), Some(Mobile), Some(Fax),
                None, Some(Company), Some(Street)
            ]
        );
        assert_eq!(
            fields("name,email,phone", ','),
            [Some(FullName), Some(Email), Some(Phone)]
        );
        assert_eq!(
            fields("NAME , E-MAIL,  Phone  ", ','),
            [Some(FullName), Some(Email), Some(Phone)]
        );
    }

    #[test]
    fn dev_data_sets() {
        use Field::*;
        let h = "record_id,source,source_row,first_name,last_name,full_name,title,company,\
                 email,phone,mobile,street,city,postcode,country,notes";
        assert_eq!(
            fields(h, ','),
            [
                Some(RecordKey),
                Some(Source),
                None,
                Some(GivenName),
                Some(FamilyName),
                Some(FullName),
                Some(Title),
                Some(Company),
                Some(Email),
                Some(Phone),
                Some(Mobile),
                Some(Street),
                Some(City),
                Some(Postcode),
                Some(Country),
                Some(Notes)
            ]
        );
    }

    #[test]
    fn other_languages() {
        use Field::*;
        for (h, f) in [
            ("Prénom", GivenName),
            ("Nom", FamilyName),
            ("Courriel", Email),
            ("Téléphone", Phone),
            ("Code postal", Postcode),
            ("Ville", City),
            ("Pays", Country),
            ("Société", Company),
            ("Nombre", GivenName),
            ("Apellidos", FamilyName),
            ("Correo electrónico", Email),
            ("Teléfono móvil", Mobile),
            ("Ciudad", City),
            ("Código postal", Postcode),
            ("Empresa", Company),
            ("Voornaam", GivenName),
            ("Achternaam", FamilyName),
            ("E-mailadres", Email),
            ("Telefoonnummer", Phone),
            ("Woonplaats", City),
            ("Bedrijf", Company),
            ("Quelle", Source),
            ("uid", RecordKey),
            ("Handy", Mobile),
            ("PLZ", Postcode),
        ] {
            assert_eq!(auto(h), Some(f), "{h}");
        }
    }
}
