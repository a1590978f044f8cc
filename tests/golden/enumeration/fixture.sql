CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, obtention TEXT, modalite TEXT, mention TEXT, acces TEXT,
                initiative TEXT, langue TEXT);
-- every value is the CDC's (EQUIVALENCE_DIPLOME_ETRANGER without the dictionary's parentheses)
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-01', 'PAR_ADMISSION', 'MIXTE',
                      'MENTION_TRES_BIEN_AVEC_FELICITATIONS_DU_JURY', 'EQUIVALENCE_DIPLOME_ETRANGER',
                      'POLE_EMPLOI', 'INSUFFISANT');
-- every value is outside its enumeration
INSERT INTO r VALUES (2, 'Exemple', 'Basile', 1988, 'H', '2026-10-01', 'PAR_EXAMEN', 'en_presentiel',
                      'MENTION_PASSABLE', 'EQUIVALENCE_(DIPLOME_ETRANGER)', 'FRANCE_TRAVAIL', 'B3');
