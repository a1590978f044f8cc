CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenoms TEXT, commune TEXT, annee INTEGER,
                sexe TEXT, delivre TEXT);
INSERT INTO r VALUES (1, 'de la Fontaine-Bœuf', 'ÉLOÏSE Cœur', 'Saint-Étienne', 1992, 'f', '2026-10-05');
INSERT INTO r VALUES (2, 'Strauß Çaÿ', 'ŒDIPE élie', 'L''Haÿ-les-Roses', 1988, 'm', '2026-10-05');
