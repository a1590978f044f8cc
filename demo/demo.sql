-- The demo certifier's own database: "Institut Exemple de Formation", a fictional school.
-- Every person here is invented. The schema is the school's, not the CDC's: the demo mappings
-- translate it onto the CDC dictionary, as an administrator would for a real database.
--
-- Built with sqlite3 at build time. Dates are relative to the day of the build, so that the
-- demo always shows passages delivered recently, passages close to their three-month deadline,
-- overdue ones and a few delivered in the future (not due yet), and it carries planted data
-- problems the validation must catch:
--   * candidate 17: a birth name of 64 characters (the CDC allows 60);
--   * candidate 42: civility "Dr", which maps to no sex;
--   * candidate 77: born on 30/02/1990, a date that does not exist.

PRAGMA foreign_keys = ON;

CREATE TABLE certification (
  id        INTEGER PRIMARY KEY,
  type      TEXT NOT NULL,          -- 'RNCP' or 'RS'
  code      TEXT NOT NULL UNIQUE,   -- as registered at France compétences
  intitule  TEXT NOT NULL
);

CREATE TABLE candidat (
  id                     INTEGER PRIMARY KEY,
  civilite               TEXT,      -- 'M.' or 'Mme', as typed by the registrar
  nom_naissance          TEXT NOT NULL,
  nom_usage              TEXT,      -- NULL when it is the birth name
  prenoms                TEXT NOT NULL,  -- all first names, separated by spaces
  date_naissance         TEXT,      -- 'DD/MM/YYYY'
  code_insee_naissance   TEXT,      -- INSEE commune code; '99xxx' for a foreign country
  code_postal_naissance  TEXT,
  commune_naissance      TEXT,
  pays_naissance         TEXT,      -- NULL when born in France
  courriel               TEXT
);

CREATE TABLE resultat (
  id                INTEGER PRIMARY KEY,
  candidat_id       INTEGER NOT NULL REFERENCES candidat(id),
  certification_id  INTEGER NOT NULL REFERENCES certification(id),
  admis             INTEGER NOT NULL,   -- 1 admitted, 0 not admitted
  date_delivrance   TEXT,               -- ISO 'YYYY-MM-DD'; the start of the 3-month clock
  date_examen       TEXT,               -- ISO
  mention           TEXT,               -- 'Passable', 'Assez bien', 'Bien', 'Très bien'
  voie_acces        TEXT,               -- 'Formation initiale', 'Apprentissage', ...
  score             TEXT,               -- RS only: the score obtained, e.g. '812'
  modalite          TEXT,               -- 'présentiel', 'à distance'
  modifie_le        TEXT NOT NULL       -- ISO timestamp of the last change
);

INSERT INTO certification (id, type, code, intitule) VALUES
  (1, 'RNCP', 'RNCP35830', 'Gestionnaire de la paie et de l''administration du personnel'),
  (2, 'RNCP', 'RNCP36141', 'Responsable de petite et moyenne structure'),
  (3, 'RS',   'RS6521',    'Accueillir un public en situation de handicap');

-- Name lists the generator draws from.
CREATE TEMP TABLE nom (i INTEGER PRIMARY KEY, v TEXT);
INSERT INTO nom (i, v) VALUES
  (0,'Martin'),(1,'Bernard'),(2,'Dubois'),(3,'Thomas'),(4,'Robert'),(5,'Richard'),(6,'Petit'),
  (7,'Durand'),(8,'Leroy'),(9,'Moreau'),(10,'Simon'),(11,'Laurent'),(12,'Lefèvre'),
  (13,'Michel'),(14,'Garcia'),(15,'David'),(16,'Bertrand'),(17,'Roux'),(18,'Vincent'),
  (19,'Fournier'),(20,'Morel'),(21,'Girard'),(22,'André'),(23,'Lefebvre'),(24,'Mercier'),
  (25,'Dupont'),(26,'Lambert'),(27,'Bonnet'),(28,'François'),(29,'Martinez'),(30,'Legrand'),
  (31,'Garnier'),(32,'Faure'),(33,'Rousseau'),(34,'Blanc'),(35,'Guérin'),(36,'Müller'),
  (37,'Henry'),(38,'Roussel'),(39,'Nicolas'),(40,'Perrin'),(41,'Morin'),(42,'Mathieu'),
  (43,'Clément'),(44,'Gauthier'),(45,'Dumont'),(46,'Lopez'),(47,'Fontaine'),(48,'Chevalier'),
  (49,'Robin'),(50,'Masson'),(51,'Sanchez'),(52,'Gérard'),(53,'Nguyen'),(54,'Boyer'),
  (55,'Denis'),(56,'Lemaire'),(57,'Duval'),(58,'Joly'),(59,'Gautier'),(60,'Roger'),
  (61,'Roche'),(62,'Roy'),(63,'Noël'),(64,'Meyer'),(65,'Lucas'),(66,'Meunier'),(67,'Jean'),
  (68,'Pérez'),(69,'Marchand'),(70,'Dufour'),(71,'Blanchard'),(72,'Marie'),(73,'Barbier'),
  (74,'Brun'),(75,'Dumas'),(76,'Brunet'),(77,'Schmitt'),(78,'Leroux'),(79,'Colin'),
  (80,'Fernandez'),(81,'Pierre'),(82,'Renard'),(83,'Arnaud'),(84,'Rolland'),(85,'Caron'),
  (86,'Aubert'),(87,'Giraud'),(88,'Leclerc'),(89,'Vidal'),(90,'Bourgeois'),(91,'Renaud'),
  (92,'Lemoine'),(93,'Picard'),(94,'Gaillard'),(95,'Philippe'),(96,'Leclercq'),(97,'Lacroix'),
  (98,'Fabre'),(99,'Dupuis'),(100,'Olivier'),(101,'Rodriguez'),(102,'Da Silva'),
  (103,'Hubert'),(104,'Louis'),(105,'Charles'),(106,'Guillot'),(107,'Rivière'),(108,'Le Gall'),
  (109,'Guillaume'),(110,'Adam'),(111,'Rey'),(112,'Moulin'),(113,'Gonzalez'),(114,'Berger'),
  (115,'Lecomte'),(116,'Ménard'),(117,'Fleury'),(118,'Deschamps'),(119,'Carpentier'),
  (120,'Julien'),(121,'Benoît'),(122,'Paris'),(123,'Maillard'),(124,'Marchal'),(125,'Aubry'),
  (126,'Vasseur'),(127,'Le Roux'),(128,'Renault'),(129,'Jacquet'),(130,'Collet'),
  (131,'Prévost'),(132,'Poirier'),(133,'Charpentier'),(134,'Royer'),(135,'Huet'),
  (136,'Baron'),(137,'Dupuy'),(138,'Pons'),(139,'Paul'),(140,'Laine'),(141,'Carré'),
  (142,'Breton'),(143,'Rémy'),(144,'Schneider'),(145,'Perrot'),(146,'Guyot'),(147,'Barré'),
  (148,'Marty'),(149,'Cousin'),(150,'Œillet'),(151,'Saint-Exupéry'),(152,'Bœuf'),
  (153,'L''Hôte'),(154,'Ben Saïd'),(155,'Kowalczyk');

CREATE TEMP TABLE prenom (i INTEGER PRIMARY KEY, femme INTEGER, v TEXT);
INSERT INTO prenom (i, femme, v) VALUES
  (0,1,'Marie'),(1,1,'Léa'),(2,1,'Chloé'),(3,1,'Manon'),(4,1,'Inès'),(5,1,'Camille'),
  (6,1,'Éloïse'),(7,1,'Lætitia'),(8,1,'Zoé'),(9,1,'Anaïs'),(10,1,'Hélène'),(11,1,'Maëlle'),
  (12,1,'Noémie'),(13,1,'Céline'),(14,1,'Françoise'),(15,1,'Aurélie'),(16,1,'Sophie'),
  (17,1,'Clémence'),(18,1,'Bérénice'),(19,1,'Agnès'),
  (20,0,'Lucas'),(21,0,'Hugo'),(22,0,'Théo'),(23,0,'Nathan'),(24,0,'Louis'),(25,0,'Jules'),
  (26,0,'Raphaël'),(27,0,'Noël'),(28,0,'Mathéo'),(29,0,'Gaël'),(30,0,'Jérôme'),
  (31,0,'François'),(32,0,'Benoît'),(33,0,'Loïc'),(34,0,'Anaël'),(35,0,'Joël'),
  (36,0,'Cédric'),(37,0,'Aurélien'),(38,0,'Stéphane'),(39,0,'Grégoire');

CREATE TEMP TABLE commune (i INTEGER PRIMARY KEY, insee TEXT, cp TEXT, nom TEXT, pays TEXT);
INSERT INTO commune (i, insee, cp, nom, pays) VALUES
  (0,'75056','75001','Paris',NULL),(1,'69123','69001','Lyon',NULL),
  (2,'13055','13001','Marseille',NULL),(3,'31555','31000','Toulouse',NULL),
  (4,'33063','33000','Bordeaux',NULL),(5,'59350','59000','Lille',NULL),
  (6,'44109','44000','Nantes',NULL),(7,'67482','67000','Strasbourg',NULL),
  (8,'35238','35000','Rennes',NULL),(9,'2A004','20000','Ajaccio',NULL),
  (10,'97411','97400','Saint-Denis',NULL),(11,'29019','29200','Brest',NULL),
  (12,'99134',NULL,'Madrid','Espagne'),(13,'99350',NULL,'Casablanca','Maroc'),
  (14,'99109',NULL,'Berlin','Allemagne');

-- 210 candidates.
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 210)
INSERT INTO candidat (id, civilite, nom_naissance, nom_usage, prenoms, date_naissance,
                      code_insee_naissance, code_postal_naissance, commune_naissance,
                      pays_naissance, courriel)
SELECT
  n,
  CASE WHEN n % 2 = 0 THEN 'Mme' ELSE 'M.' END,
  (SELECT v FROM nom WHERE i = (n * 7) % 156),
  CASE WHEN n % 2 = 0 AND n % 6 = 0 THEN (SELECT v FROM nom WHERE i = (n * 11) % 156) END,
  (SELECT v FROM prenom WHERE i = (CASE WHEN n % 2 = 0 THEN 0 ELSE 20 END) + (n * 3) % 20)
    || CASE WHEN n % 3 = 0
            THEN ' ' || (SELECT v FROM prenom
                         WHERE i = (CASE WHEN n % 2 = 0 THEN 0 ELSE 20 END) + (n * 5 + 1) % 20)
            ELSE '' END
    || CASE WHEN n % 9 = 0
            THEN ' ' || (SELECT v FROM prenom
                         WHERE i = (CASE WHEN n % 2 = 0 THEN 0 ELSE 20 END) + (n * 13 + 2) % 20)
            ELSE '' END,
  printf('%02d/%02d/%04d', 1 + (n * 7) % 28, 1 + (n * 5) % 12, 1965 + (n * 3) % 40),
  (SELECT insee FROM commune WHERE i = n % 15),
  (SELECT cp FROM commune WHERE i = n % 15),
  (SELECT nom FROM commune WHERE i = n % 15),
  (SELECT pays FROM commune WHERE i = n % 15),
  'candidat' || n || '@exemple.invalid'
FROM seq;

-- The planted problems.
UPDATE candidat
   SET nom_naissance = 'De La Tour d''Auvergne-Lauraguais de Montmorency-Beaufort-Vendôme'
 WHERE id = 17;  -- 64 characters
UPDATE candidat SET civilite = 'Dr' WHERE id = 42;
UPDATE candidat SET date_naissance = '30/02/1990' WHERE id = 77;

-- One result per candidate; about one in ten did not pass. Delivery dates run from 118 days
-- before the build to 10 days after it.
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 210)
INSERT INTO resultat (id, candidat_id, certification_id, admis, date_delivrance, date_examen,
                      mention, voie_acces, score, modalite, modifie_le)
SELECT
  1000 + n,
  n,
  1 + n % 3,
  CASE WHEN n % 10 = 3 THEN 0 ELSE 1 END,
  CASE WHEN n % 10 = 3 THEN NULL
       ELSE date('now', printf('%+d days', 10 - (n * 37) % 129)) END,
  date('now', printf('%+d days', 10 - (n * 37) % 129 - 21)),
  CASE WHEN 1 + n % 3 = 3 THEN NULL
       ELSE (SELECT v FROM (SELECT 0 AS i, 'Passable' AS v UNION ALL SELECT 1, 'Assez bien'
                            UNION ALL SELECT 2, 'Bien' UNION ALL SELECT 3, 'Très bien')
             WHERE i = n % 4) END,
  (SELECT v FROM (SELECT 0 AS i, 'Formation continue' AS v UNION ALL SELECT 1, 'Apprentissage'
                  UNION ALL SELECT 2, 'Formation initiale' UNION ALL SELECT 3, 'VAE'
                  UNION ALL SELECT 4, 'Candidat libre')
   WHERE i = n % 5),
  CASE WHEN 1 + n % 3 = 3 THEN CAST(400 + (n * 53) % 600 AS TEXT) END,
  CASE WHEN n % 4 = 0 THEN 'à distance' ELSE 'présentiel' END,
  datetime('now', printf('%+d days', 12 - (n * 37) % 129))
FROM seq;
