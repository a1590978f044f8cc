CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, dossier TEXT, nom_dossier TEXT, prenom_dossier TEXT);
-- a CPF file number: dossierFormation (bloc 9 values at their maximum: 13, 30, 20 characters)
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-01', '2026123456789',
                      'Éléonore-Bérénice Saint-Prévôt', 'Marie-Éléonore-Clara');
-- no file number: titulaire
INSERT INTO r VALUES (2, 'Exemple', 'Basile', 1988, 'M', '2026-10-01', NULL, NULL, NULL);
-- a file number and no civil status at all: dossierFormation, valid
INSERT INTO r VALUES (3, NULL, NULL, NULL, NULL, '2026-10-01', '2026000000003', 'MODELE', 'Camille');
-- bloc 9 values too long: 14, 31 and 21 characters
INSERT INTO r VALUES (4, 'Essai', 'Dominique', 1970, 'M', '2026-10-01', '20261234567890',
                      'Éléonore-Bérénice Saint-Prévôts', 'Marie-Éléonore-Claire');
-- a file number without the holder's name in it
INSERT INTO r VALUES (5, 'Essai', 'Élise', 1971, 'F', '2026-10-01', '2026000000005', NULL, 'Élise');
-- neither a file number nor a civil status: the titulaire fields are missing
INSERT INTO r VALUES (6, NULL, NULL, NULL, NULL, '2026-10-01', NULL, 'ESSAI', 'Fanny');
