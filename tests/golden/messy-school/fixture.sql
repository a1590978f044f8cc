-- A fictional business school's own schema, as it really is (golden case messy-school, #15):
-- a catalogue of RNCP and RS certifications typed by hand, internal students with birth dates
-- typed as text, external candidates with DATE birth dates, and the spellings people type.
-- Portable SQL: the same file is loaded into SQLite (golden tier), PostgreSQL and MariaDB
-- (integration tier, messy_school_test). Every name is fictional. Each planted mess is named in
-- a comment; passages.txt and quarantine.txt say what accrochd makes of it.
CREATE TABLE catalogue (
  id_formation INTEGER PRIMARY KEY,
  intitule VARCHAR(200),
  type_fiche VARCHAR(20),
  num_fiche VARCHAR(30),
  ouverte INTEGER
);
-- a space inside the code
INSERT INTO catalogue VALUES (1, 'Gestionnaire de paie', 'RNCP', 'RNCP 35830', 1);
-- lower case
INSERT INTO catalogue VALUES (2, 'Responsable de petite entreprise', 'rncp', 'rncp34567', 1);
-- clean
INSERT INTO catalogue VALUES (3, 'Accueil des publics en situation de handicap', 'RS', 'RS6521', 1);
-- mixed case, trailing blank, inner space
INSERT INTO catalogue VALUES (4, 'Anglais des affaires', 'Rs ', 'RS 5875', 1);
-- a letter O typed for a zero: malformed
INSERT INTO catalogue VALUES (5, 'Manager commercial', 'RNCP', 'RNCP3583O', 1);
-- an RS type with an RNCP code: inconsistent
INSERT INTO catalogue VALUES (6, 'Bureautique avancée', 'RS', 'RNCP36001', 1);
-- clean
INSERT INTO catalogue VALUES (7, 'Assistant comptable', 'RNCP', 'RNCP36805', 1);
-- closed: filtered out by the query
INSERT INTO catalogue VALUES (8, 'Ancienne formation fermée', 'RNCP', 'RNCP12345', 0);

CREATE TABLE eleves (
  id_eleve INTEGER PRIMARY KEY,
  id_formation INTEGER,
  civilite VARCHAR(20),
  nom VARCHAR(200),
  nom_usage VARCHAR(200),
  prenoms VARCHAR(200),
  naissance VARCHAR(20),
  insee_naissance VARCHAR(10),
  cp_naissance INTEGER,
  ville_naissance VARCHAR(100),
  pays_naissance VARCHAR(60),
  code_pays VARCHAR(10),
  decision VARCHAR(40),
  date_jury DATE,
  mention VARCHAR(40),
  voie VARCHAR(60),
  dossier VARCHAR(20)
);
-- first names split on a comma; INSEE code with a space
INSERT INTO eleves VALUES (101, 1, 'M.', 'MARTIN', NULL, 'Jean, Pierre', '12/05/1999', '75 056', NULL, 'Paris', 'France', NULL, 'Admis', '2026-09-15', 'Très bien', 'Formation initiale', 'complet');
-- decomposed Unicode; year of birth only; INSEE code that lost its zero
INSERT INTO eleves VALUES (102, 1, 'Mme', 'FRANÇOIS', 'DUPONT', 'Élise  Marie', '00/00/1985', '1053', NULL, 'Ambérieu-en-Bugey', 'FRANCE', NULL, 'admis ', '2026-09-15', 'TRES BIEN', 'apprentissage', 'Complet');
-- a 60-letter name stored decomposed; month and year of birth only; Corsican INSEE code
INSERT INTO eleves VALUES (103, 2, 'MADAME', 'ÉLÉONORE-BÉRÉNICE DE LA FERTÉ-SAINT-AUBIN-SUR-LÈZE DUCHÂTEÉÈ', NULL, 'Anne', '00/06/1990', '2A004', NULL, 'Ajaccio', 'France', NULL, 'ADMIS', '2026-10-01', 'très-bien', 'Contrat de professionnalisation', 'complet');
-- a day of birth without its month; a postal code that lost its zero
INSERT INTO eleves VALUES (104, 2, 'Monsieur', 'BERNARD', NULL, 'Luc,Paul,Henri', '15/00/1990', NULL, 1000, 'Bourg-en-Bresse', 'France', NULL, 'Admis', '2026-10-01', 'Bien', 'VAE', 'complet');
-- a day that does not exist
INSERT INTO eleves VALUES (105, 3, 'Mlle', 'PETIT', NULL, 'Chloé', '31/02/1999', '69123', NULL, 'Lyon', 'France', NULL, 'Admis', '2026-10-10', 'Assez bien', 'Formation continue', 'complet');
-- born after today
INSERT INTO eleves VALUES (106, 3, 'M', 'ROBERT', NULL, 'Hugo', '12/05/2031', '33063', NULL, 'Bordeaux', 'France', NULL, 'Admis', '2026-10-10', 'Sans mention', 'Formation initiale', 'complet');
-- a birth date typed the other way; born abroad; no mention
INSERT INTO eleves VALUES (107, 4, 'Mme', 'RICHARD', 'DURAND', 'Léa', '1998-03-07', NULL, NULL, 'Casablanca', 'Maroc', '99350', 'Admis', '2026-10-20', NULL, 'Formation continue', 'complet');
-- born abroad, INSEE column blank
INSERT INTO eleves VALUES (108, 4, 'Monsieur', 'MOREAU', NULL, 'Karim', '03/04/1995', '', NULL, 'Rabat', 'maroc', '99350', 'Admis', '2026-10-20', 'Bien', 'Formation continue', 'complet');
-- certification code malformed in the catalogue
INSERT INTO eleves VALUES (109, 5, 'Mme', 'SIMON', NULL, 'Camille', '21/09/1997', '59350', NULL, 'Lille', 'France', NULL, 'Admis', '2026-10-01', 'Bien', 'Formation initiale', 'complet');
-- certification type contradicts its code
INSERT INTO eleves VALUES (110, 6, 'M.', 'MICHEL', NULL, 'Louis', '02/02/1996', '67482', NULL, 'Strasbourg', 'France', NULL, 'Admis', '2026-10-01', 'Bien', 'Formation initiale', 'complet');
-- not admitted: skipped
INSERT INTO eleves VALUES (111, 7, 'M.', 'LAURENT', NULL, 'Paul', '05/05/1995', '44109', NULL, 'Nantes', 'France', NULL, 'Ajourné', '2026-10-05', NULL, 'Formation initiale', 'complet');
-- absent: skipped
INSERT INTO eleves VALUES (112, 7, 'Mme', 'LEFEBVRE', NULL, 'Julie', '06/06/1996', '35238', NULL, 'Rennes', 'France', NULL, 'absent', '2026-10-05', NULL, 'Formation initiale', 'complet');
-- jury not decided: skipped
INSERT INTO eleves VALUES (113, 7, 'Mme', 'ROUX', NULL, 'Manon', '07/07/1997', '31555', NULL, 'Toulouse', 'France', NULL, 'En attente', '2026-10-05', NULL, 'Formation initiale', 'complet');
-- a decision neither yes nor no
INSERT INTO eleves VALUES (114, 7, 'M.', 'FOURNIER', NULL, 'Lucas', '08/08/1998', '06088', NULL, 'Nice', 'France', NULL, 'Admis sous réserve', '2026-10-05', 'Bien', 'Formation initiale', 'complet');
-- a title that is not a civility
INSERT INTO eleves VALUES (115, 7, 'Dr', 'GIRARD', NULL, 'Emma', '09/09/1990', '34172', NULL, 'Montpellier', 'France', NULL, 'Admis', '2026-10-05', 'Bien', 'Formation initiale', 'complet');
-- France's country code typed as the INSEE code
INSERT INTO eleves VALUES (116, 7, 'M.', 'GARCIA', NULL, 'Nathan', '10/10/1994', '99100', NULL, 'Paris', 'France', NULL, 'Admis', '2026-10-05', 'Bien', 'Formation initiale', 'complet');
-- the commune typed in the INSEE column
INSERT INTO eleves VALUES (117, 7, 'Mme', 'BONNET', NULL, 'Sarah', '11/11/1993', 'Lyon', NULL, 'Lyon', 'France', NULL, 'Admis', '2026-10-05', 'Bien', 'Formation initiale', 'complet');
-- the school holds passages whose file is incomplete
INSERT INTO eleves VALUES (118, 1, 'M.', 'DUPUIS', NULL, 'Thomas', '12/12/1992', '75056', NULL, 'Paris', 'France', NULL, 'Admis', '2026-09-15', 'Bien', 'Formation initiale', 'incomplet');
-- an abbreviation no map entry catches
INSERT INTO eleves VALUES (119, 1, 'Mme', 'LAMBERT', NULL, 'Inès', '13/01/1991', '75056', NULL, 'Paris', 'France', NULL, 'Admis', '2026-09-15', 'TB', 'Formation initiale', 'complet');
-- delivered in the future: held back until its day
INSERT INTO eleves VALUES (120, 2, 'M.', 'FONTAINE', NULL, 'Maxime', '14/02/1990', '75056', NULL, 'Paris', 'France', NULL, 'Admis', '2026-12-20', 'Bien', 'Formation initiale', 'complet');
-- born after the date of delivery
INSERT INTO eleves VALUES (121, 2, 'Mme', 'ROUSSEAU', NULL, 'Jade', '12/10/2026', '75056', NULL, 'Paris', 'France', NULL, 'Admis', '2026-10-01', 'Bien', 'Formation initiale', 'complet');
-- blanks typed twice, in the name and between first names
INSERT INTO eleves VALUES (122, 3, 'M.', 'DE  LA   FONTAINE', NULL, 'Jean-Marc  Louis', '16/03/1989', '13055', NULL, 'Marseille', 'France', NULL, 'Admis', '2026-10-10', 'Bien', 'Formation initiale', 'complet');
-- a long mention, mixed case
INSERT INTO eleves VALUES (123, 3, 'Mme', 'VINCENT', NULL, 'Zoé', '17/04/1988', '2B033', NULL, 'Bastia', 'France', NULL, 'Admis', '2026-10-10', 'Très Bien avec félicitations du jury', 'Formation continue', 'complet');
-- the same holder as candidate 207, written without the accent
INSERT INTO eleves VALUES (124, 1, 'Mme', 'MARTIN', NULL, 'Elodie', '01/06/1995', '75056', NULL, 'Paris', 'France', NULL, 'Admis', '2026-09-15', 'Bien', 'Formation initiale', 'complet');
-- Jean Paul DUBOIS: not the same person as candidate 209, Jean Marc
INSERT INTO eleves VALUES (125, 7, 'M.', 'DUBOIS', NULL, 'Jean Paul', '02/03/1987', '75056', NULL, 'Paris', 'France', NULL, 'Admis', '2026-10-05', 'Bien', 'Formation initiale', 'complet');
-- an access route no map entry catches
INSERT INTO eleves VALUES (126, 7, 'Mme', 'BLANC', NULL, 'Lina', '18/05/1996', '75056', NULL, 'Paris', 'France', NULL, 'Admis', '2026-10-05', 'Bien', 'alternance', 'complet');

CREATE TABLE candidats_libres (
  id_candidat INTEGER PRIMARY KEY,
  id_formation INTEGER,
  genre VARCHAR(10),
  nom_naissance VARCHAR(200),
  nom_epouse VARCHAR(200),
  prenom VARCHAR(100),
  autres_prenoms VARCHAR(200),
  date_naissance DATE,
  commune_insee VARCHAR(10),
  code_postal INTEGER,
  commune VARCHAR(100),
  pays VARCHAR(60),
  code_pays VARCHAR(10),
  resultat VARCHAR(40),
  date_resultat DATE,
  mention VARCHAR(40)
);
-- a second and a third first name in their own column
INSERT INTO candidats_libres VALUES (201, 3, 'F', 'LEROY', 'MARTIN', 'Sophie', 'Anne Claire', '1988-07-14', '13055', NULL, 'Marseille', 'France', NULL, 'Reçu', '2026-10-05', NULL);
-- born abroad; decomposed accents
INSERT INTO candidats_libres VALUES (202, 3, 'homme', 'NGUYEN', NULL, 'Minh', NULL, '1992-11-30', NULL, NULL, 'Hanoï', 'Viêt Nam', '99243', 'Reçu', '2026-10-05', NULL);
-- no INSEE code: the postal code, which lost its zero
INSERT INTO candidats_libres VALUES (203, 4, 'Femme', 'MÜLLER', NULL, 'Anna', NULL, '1979-02-28', NULL, 8000, 'Charleville-Mézières', 'France', NULL, 'RECU', '2026-10-20', NULL);
-- born abroad, INSEE column a blank
INSERT INTO candidats_libres VALUES (204, 4, 'H', 'DIALLO', NULL, 'Mamadou', NULL, '1990-01-01', ' ', NULL, 'Dakar', 'Sénégal', '99341', 'recu', '2026-10-20', NULL);
-- refused: skipped
INSERT INTO candidats_libres VALUES (205, 7, 'F', 'MOREL', NULL, 'Alice', NULL, '1991-03-03', '75056', NULL, 'Paris', 'France', NULL, 'Refusé', '2026-10-05', NULL);
-- gave up: skipped
INSERT INTO candidats_libres VALUES (206, 7, 'H', 'FAURE', NULL, 'Hugo', NULL, '1992-04-04', '75056', NULL, 'Paris', 'France', NULL, 'Abandon', '2026-10-05', NULL);
-- the same holder as student 124: a probable duplicate
INSERT INTO candidats_libres VALUES (207, 1, 'F', 'MARTIN', NULL, 'Élodie', NULL, '1995-06-01', '75056', NULL, 'Paris', 'France', NULL, 'Reçu', '2026-09-15', NULL);
-- no birth date at all
INSERT INTO candidats_libres VALUES (208, 2, 'F', 'PERRIN', NULL, 'Rose', NULL, NULL, '75056', NULL, 'Paris', 'France', NULL, 'Reçu', '2026-10-01', NULL);
-- Jean Marc DUBOIS: another person than student 125
INSERT INTO candidats_libres VALUES (209, 7, 'H', 'DUBOIS', NULL, 'Jean', 'Marc', '1987-03-02', '75056', NULL, 'Paris', 'France', NULL, 'Reçu', '2026-10-05', NULL);
