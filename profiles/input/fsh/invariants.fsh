// The network's invariants. Keys: dhc-<concern>-<n>; a key shared by several profiles states one rule
// (dhc-rec-*, dhc-addr-1). Each expression keeps to the FHIRPath subset that @medplum/core evaluates (no
// split(), sum(), aggregate(), children() or descendants()). Inside a function's arguments medplum rebinds
// $this to that function's input, so an argument that needs the outer item reads it from %context (the
// element the invariant is on) or %resource.

// ---- Resident ID card number (GB 11643-1999), identifier system urn:oid:2.16.156.10011.1.3 ----

Invariant: dhc-pat-1
Description: "The resident ID card number is 17 digits followed by a check character that is a digit or X (GB 11643)."
Severity: #error
Expression: "identifier.where(system = 'urn:oid:2.16.156.10011.1.3').value.all(matches('^[0-9]{17}[0-9X]$'))"

Invariant: dhc-pat-2
Description: "Digits 7-14 of the resident ID card number are a real birth date YYYYMMDD (from 1900, leap years counted)."
Severity: #error
Expression: "identifier.where(system = 'urn:oid:2.16.156.10011.1.3').value.all(matches('^[0-9]{17}[0-9X]$') implies (substring(6, 4).toInteger() >= 1900 and substring(10, 2).toInteger() >= 1 and substring(10, 2).toInteger() <= 12 and substring(12, 2).toInteger() >= 1 and substring(12, 2).toInteger() <= iif(substring(10, 2).toInteger() = 2, iif((substring(6, 4).toInteger() mod 4 = 0 and substring(6, 4).toInteger() mod 100 != 0) or substring(6, 4).toInteger() mod 400 = 0, 29, 28), iif(substring(10, 2).toInteger() = 4 or substring(10, 2).toInteger() = 6 or substring(10, 2).toInteger() = 9 or substring(10, 2).toInteger() = 11, 30, 31))))"

Invariant: dhc-pat-3
Description: "The check character of the resident ID card number is right: the 17 digits weighted 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, summed, taken mod 11 and mapped through 1 0 X 9 8 7 6 5 4 3 2."
Severity: #error
Expression: "identifier.where(system = 'urn:oid:2.16.156.10011.1.3').value.all(matches('^[0-9]{17}[0-9X]$') implies ((substring(0, 1).toInteger() * 7 + substring(1, 1).toInteger() * 9 + substring(2, 1).toInteger() * 10 + substring(3, 1).toInteger() * 5 + substring(4, 1).toInteger() * 8 + substring(5, 1).toInteger() * 4 + substring(6, 1).toInteger() * 2 + substring(7, 1).toInteger() * 1 + substring(8, 1).toInteger() * 6 + substring(9, 1).toInteger() * 3 + substring(10, 1).toInteger() * 7 + substring(11, 1).toInteger() * 9 + substring(12, 1).toInteger() * 10 + substring(13, 1).toInteger() * 5 + substring(14, 1).toInteger() * 8 + substring(15, 1).toInteger() * 4 + substring(16, 1).toInteger() * 2) mod 11 = iif(substring(17, 1) = 'X', 2, iif(substring(17, 1) = '1', 0, iif(substring(17, 1) = '0', 1, 12 - substring(17, 1).toInteger())))))"

Invariant: dhc-pat-4
Description: "birthDate is the birth date inside the resident ID card number."
Severity: #error
Expression: "%resource.birthDate.empty() or identifier.where(system = 'urn:oid:2.16.156.10011.1.3').value.all((matches('^[0-9]{17}[0-9X]$') and (substring(6, 4).toInteger() >= 1900 and substring(10, 2).toInteger() >= 1 and substring(10, 2).toInteger() <= 12 and substring(12, 2).toInteger() >= 1 and substring(12, 2).toInteger() <= iif(substring(10, 2).toInteger() = 2, iif((substring(6, 4).toInteger() mod 4 = 0 and substring(6, 4).toInteger() mod 100 != 0) or substring(6, 4).toInteger() mod 400 = 0, 29, 28), iif(substring(10, 2).toInteger() = 4 or substring(10, 2).toInteger() = 6 or substring(10, 2).toInteger() = 9 or substring(10, 2).toInteger() = 11, 30, 31)))) implies substring(6, 8) = %resource.birthDate.toString().replace('-', ''))"

Invariant: dhc-pat-5
Description: "gender agrees with the resident ID card number: its 17th digit is odd for a man and even for a woman."
Severity: #error
Expression: "identifier.where(system = 'urn:oid:2.16.156.10011.1.3').value.all(matches('^[0-9]{17}[0-9X]$') implies ((%resource.gender = 'male' implies substring(16, 1).toInteger() mod 2 = 1) and (%resource.gender = 'female' implies substring(16, 1).toInteger() mod 2 = 0)))"

Invariant: dhc-pat-6
Description: "The patient can be reached by phone: at least one telecom with system phone and a value."
Severity: #error
Expression: "telecom.where(system = 'phone' and value.exists()).exists()"

Invariant: dhc-prac-1
Description: "At least one qualification is coded in the network's practitioner-qualification system."
Severity: #error
Expression: "qualification.empty() or qualification.code.coding.where(system = 'https://fhir.dhc.example/CodeSystem/practitioner-qualification').exists()"

Invariant: dhc-prac-2
Description: "A practitioner's resident ID card number is 17 digits and a check character that is right (GB 11643)."
Severity: #error
Expression: "identifier.where(system = 'urn:oid:2.16.156.10011.1.3').value.all(matches('^[0-9]{17}[0-9X]$') and ((substring(0, 1).toInteger() * 7 + substring(1, 1).toInteger() * 9 + substring(2, 1).toInteger() * 10 + substring(3, 1).toInteger() * 5 + substring(4, 1).toInteger() * 8 + substring(5, 1).toInteger() * 4 + substring(6, 1).toInteger() * 2 + substring(7, 1).toInteger() * 1 + substring(8, 1).toInteger() * 6 + substring(9, 1).toInteger() * 3 + substring(10, 1).toInteger() * 7 + substring(11, 1).toInteger() * 9 + substring(12, 1).toInteger() * 10 + substring(13, 1).toInteger() * 5 + substring(14, 1).toInteger() * 8 + substring(15, 1).toInteger() * 4 + substring(16, 1).toInteger() * 2) mod 11 = iif(substring(17, 1) = 'X', 2, iif(substring(17, 1) = '1', 0, iif(substring(17, 1) = '0', 1, 12 - substring(17, 1).toInteger())))))"

// ---- Organizations: unified social credit code (GB 32100-2015) and membership ----

Invariant: dhc-org-1
Description: "A unified social credit code is 18 characters of 0-9 and A-Y without I, O, S, V and Z, characters 3-8 being the region code (GB 32100-2015)."
Severity: #error
Expression: "system = 'https://fhir.dhc.example/sid/uscc' implies value.matches('^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$')"

Invariant: dhc-org-2
Description: "The check character of a unified social credit code is right: the first 17 characters valued by their place in 0-9A-HJ-NPQRTUWXY, weighted 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28, check = (31 - sum mod 31) mod 31 (GB 32100-2015)."
Severity: #error
Expression: "(system = 'https://fhir.dhc.example/sid/uscc' and value.matches('^[0-9A-HJ-NPQRTUWXY]{18}$')) implies ('0123456789ABCDEFGHJKLMNPQRTUWXY'.substring((31 - ('0123456789ABCDEFGHJKLMNPQRTUWXY'.indexOf(%context.value.substring(0, 1)) * 1 + '0123456789ABCDEFGHJKLMNPQRTUWXY'.indexOf(%context.value.substring(1, 1)) * 3 + '0123456789ABCDEFGHJKLMNPQRTUWXY'.indexOf(%context.value.substring(2, 1)) * 9 + '0123456789ABCDEFGHJKLMNPQRTUWXY'.indexOf(%context.value.substring(3, 1)) * 27 + '0123456789ABCDEFGHJKLMNPQRTUWXY'.indexOf(%context.value.substring(4, 1)) * 19 + '0123456789ABCDEFGHJKLMNPQRTUWXY'.indexOf(%context.value.substring(5, 1)) * 26 + '0123456789ABCDEFGHJKLMNPQRTUWXY'.indexOf(%context.value.substring(6, 1)) * 16 + '0123456789ABCDEFGHJKLMNPQRTUWXY'.indexOf(%context.value.substring(7, 1)) * 17 + '0123456789ABCDEFGHJKLMNPQRTUWXY'.indexOf(%context.value.substring(8, 1)) * 20 + '0123456789ABCDEFGHJKLMNPQRTUWXY'.indexOf(%context.value.substring(9, 1)) * 29 + '0123456789ABCDEFGHJKLMNPQRTUWXY'.indexOf(%context.value.substring(10, 1)) * 25 + '0123456789ABCDEFGHJKLMNPQRTUWXY'.indexOf(%context.value.substring(11, 1)) * 13 + '0123456789ABCDEFGHJKLMNPQRTUWXY'.indexOf(%context.value.substring(12, 1)) * 8 + '0123456789ABCDEFGHJKLMNPQRTUWXY'.indexOf(%context.value.substring(13, 1)) * 24 + '0123456789ABCDEFGHJKLMNPQRTUWXY'.indexOf(%context.value.substring(14, 1)) * 10 + '0123456789ABCDEFGHJKLMNPQRTUWXY'.indexOf(%context.value.substring(15, 1)) * 30 + '0123456789ABCDEFGHJKLMNPQRTUWXY'.indexOf(%context.value.substring(16, 1)) * 28) mod 31) mod 31, 1) = value.substring(17, 1))"

Invariant: dhc-org-3
Description: "A medical institution (every member except the network itself and the cloud pharmacy) carries its medical institution code (urn:oid:2.16.156.10011.1.5)."
Severity: #error
Expression: "type.coding.where(system = 'https://fhir.dhc.example/CodeSystem/organization-type' and (code = 'network' or code = 'cloud-pharmacy')).exists() or identifier.where(system = 'urn:oid:2.16.156.10011.1.5' and value.exists()).exists()"

Invariant: dhc-org-4
Description: "Every member is partOf the network, and a community station or village clinic partOf its clinic; only the network itself has no partOf."
Severity: #error
Expression: "type.coding.where(system = 'https://fhir.dhc.example/CodeSystem/organization-type' and code = 'network').exists() or partOf.exists()"

Invariant: dhc-org-5
Description: "A legal entity of the network (all but a community station or a village clinic, which are sites of their clinic) carries its unified social credit code."
Severity: #error
Expression: "type.coding.where(system = 'https://fhir.dhc.example/CodeSystem/organization-type' and (code = 'community-health-service-station' or code = 'village-clinic')).exists() or identifier.where(system = 'https://fhir.dhc.example/sid/uscc' and value.exists()).exists()"

// ---- Practitioner roles ----

Invariant: dhc-role-1
Description: "The role is coded doctor, nurse or pharmacist (http://terminology.hl7.org/CodeSystem/practitioner-role)."
Severity: #error
Expression: "code.coding.where(system = 'http://terminology.hl7.org/CodeSystem/practitioner-role' and (code = 'doctor' or code = 'nurse' or code = 'pharmacist')).exists()"

Invariant: dhc-role-2
Description: "The professional title is coded in the network's practitioner-qualification system."
Severity: #error
Expression: "extension('https://fhir.dhc.example/StructureDefinition/professional-title').all(value.ofType(CodeableConcept).coding.where(system = 'https://fhir.dhc.example/CodeSystem/practitioner-qualification').exists())"

Invariant: dhc-role-3
Description: "A home-care nurse (a role authorized for home-care services) has the role code nurse."
Severity: #error
Expression: "extension('https://fhir.dhc.example/StructureDefinition/authorized-home-care-service').exists() implies code.coding.where(system = 'http://terminology.hl7.org/CodeSystem/practitioner-role' and code = 'nurse').exists()"

Invariant: dhc-role-4
Description: "A home-care nurse has at least 5 years of clinical nursing."
Severity: #error
Expression: "extension('https://fhir.dhc.example/StructureDefinition/authorized-home-care-service').exists() implies (extension('https://fhir.dhc.example/StructureDefinition/years-of-practice').value.ofType(integer) >= 5)"

Invariant: dhc-role-5
Description: "A home-care nurse holds the title of nurse practitioner (护师) or above."
Severity: #error
Expression: "extension('https://fhir.dhc.example/StructureDefinition/authorized-home-care-service').exists() implies extension('https://fhir.dhc.example/StructureDefinition/professional-title').value.ofType(CodeableConcept).coding.where(system = 'https://fhir.dhc.example/CodeSystem/practitioner-qualification' and (code = 'nurse-practitioner' or code = 'supervisor-nurse' or code = 'associate-chief-nurse' or code = 'chief-nurse')).exists()"

Invariant: dhc-role-6
Description: "A pharmacist role (who reviews and dispenses prescriptions) holds the title of pharmacist (药师) or above."
Severity: #error
Expression: "code.coding.where(system = 'http://terminology.hl7.org/CodeSystem/practitioner-role' and code = 'pharmacist').exists() implies extension('https://fhir.dhc.example/StructureDefinition/professional-title').value.ofType(CodeableConcept).coding.where(system = 'https://fhir.dhc.example/CodeSystem/practitioner-qualification' and (code = 'pharmacist' or code = 'supervisor-pharmacist' or code = 'associate-chief-pharmacist' or code = 'chief-pharmacist')).exists()"

Invariant: dhc-role-7
Description: "Years of practice are between 0 and 60."
Severity: #error
Expression: "extension('https://fhir.dhc.example/StructureDefinition/years-of-practice').value.ofType(integer).all($this >= 0 and $this <= 60)"

// ---- Chronic-disease panels: plausible values (UCUM units are fixed by the profiles) ----

Invariant: dhc-bp-1
Description: "Systolic and diastolic blood pressure are in mm[Hg] (UCUM)."
Severity: #error
Expression: "component.where(code.coding.where(system = 'http://loinc.org' and (code = '8480-6' or code = '8462-4')).exists()).value.ofType(Quantity).all(system = 'http://unitsofmeasure.org' and code = 'mm[Hg]')"

Invariant: dhc-bp-2
Description: "Systolic blood pressure is plausible: 50-300 mm[Hg]."
Severity: #error
Expression: "component.where(code.coding.where(system = 'http://loinc.org' and code = '8480-6').exists()).value.ofType(Quantity).all(value >= 50 and value <= 300)"

Invariant: dhc-bp-3
Description: "Diastolic blood pressure is plausible: 20-200 mm[Hg]."
Severity: #error
Expression: "component.where(code.coding.where(system = 'http://loinc.org' and code = '8462-4').exists()).value.ofType(Quantity).all(value >= 20 and value <= 200)"

Invariant: dhc-bp-4
Description: "Systolic blood pressure is above diastolic."
Severity: #error
Expression: "(component.where(code.coding.where(system = 'http://loinc.org' and code = '8480-6').exists()).value.ofType(Quantity).value.exists() and component.where(code.coding.where(system = 'http://loinc.org' and code = '8462-4').exists()).value.ofType(Quantity).value.exists()) implies component.where(code.coding.where(system = 'http://loinc.org' and code = '8480-6').exists()).value.ofType(Quantity).value > component.where(code.coding.where(system = 'http://loinc.org' and code = '8462-4').exists()).value.ofType(Quantity).value"

Invariant: dhc-ht-1
Description: "Body height is plausible: 30-250 cm."
Severity: #error
Expression: "value.ofType(Quantity).all(value >= 30 and value <= 250)"

Invariant: dhc-wt-1
Description: "Body weight is plausible: 1-300 kg."
Severity: #error
Expression: "value.ofType(Quantity).all(value >= 1 and value <= 300)"

Invariant: dhc-wc-1
Description: "Waist circumference is plausible: 40-200 cm."
Severity: #error
Expression: "value.ofType(Quantity).all(value >= 40 and value <= 200)"

Invariant: dhc-bmi-1
Description: "BMI is plausible: 10-80 kg/m2."
Severity: #error
Expression: "value.ofType(Quantity).all(value >= 10 and value <= 80)"

Invariant: dhc-glu-1
Description: "A fasting glucose is coded with a molar fasting glucose LOINC code: 14771-0 (serum or plasma) or 14770-2 (capillary blood, glucometer)."
Severity: #error
Expression: "code.coding.where(system = 'http://loinc.org' and (code = '14771-0' or code = '14770-2')).exists()"

Invariant: dhc-glu-2
Description: "A 2-hour glucose is coded with a molar 2-hour LOINC code: 14760-3 (capillary blood, 2 hours after a meal) or 14995-5 (serum or plasma, 2 hours after 75 g glucose)."
Severity: #error
Expression: "code.coding.where(system = 'http://loinc.org' and (code = '14760-3' or code = '14995-5')).exists()"

Invariant: dhc-glu-3
Description: "Glucose is plausible: 0.5-60 mmol/L."
Severity: #error
Expression: "value.ofType(Quantity).all(value >= 0.5 and value <= 60)"

Invariant: dhc-a1c-1
Description: "HbA1c is plausible: 3-20 %."
Severity: #error
Expression: "value.ofType(Quantity).all(value >= 3 and value <= 20)"

Invariant: dhc-fu-1
Description: "The follow-up panel is coded with a visit type of the network's follow-up-visit-type system (hypertension or type 2 diabetes)."
Severity: #error
Expression: "code.coding.where(system = 'https://fhir.dhc.example/CodeSystem/follow-up-visit-type').exists()"

// ---- Diagnoses ----

Invariant: dhc-cond-1
Description: "The ICD-10 code is a hypertension (I10-I15) or type 2 diabetes (E11) code."
Severity: #error
Expression: "code.coding.where(system = 'http://hl7.org/fhir/sid/icd-10').all(code.matches('^(I1[0-5]|E11)([.][0-9])?$'))"

Invariant: dhc-cond-2
Description: "The national clinical version 2.0 code has its shape (letter, two digits, a dot, three characters) and lies in the ICD-10 category of the plain ICD-10 code."
Severity: #error
Expression: "code.coding.where(system = 'https://fhir.dhc.example/CodeSystem/icd-10-cn-clinical-2.0').all(code.matches('^[A-Z][0-9]{2}[.][0-9x][0-9]{2}$') and code.substring(0, 3) = %resource.code.coding.where(system = 'http://hl7.org/fhir/sid/icd-10').code.substring(0, 3))"

// ---- Laboratory results and mutual recognition (Observation and DiagnosticReport) ----

Invariant: dhc-lab-1
Description: "A laboratory result carries a LOINC code."
Severity: #error
Expression: "code.coding.where(system = 'http://loinc.org' and code.exists()).exists()"

Invariant: dhc-lab-2
Description: "A quantitative laboratory result is in a UCUM unit."
Severity: #error
Expression: "value.ofType(Quantity).all(system = 'http://unitsofmeasure.org' and code.exists())"

Invariant: dhc-rec-1
Description: "The performing organization (laboratory) is among the performers: a reference of type Organization."
Severity: #error
Expression: "performer.where(type = 'Organization' or reference.matches('^(.*/)?Organization/[A-Za-z0-9.-]+(/_history/[A-Za-z0-9.-]+)?$')).exists()"

Invariant: dhc-rec-2
Description: "The external quality assessment status is coded in the network's eqa-status system."
Severity: #error
Expression: "extension('https://fhir.dhc.example/StructureDefinition/eqa-status').all(value.ofType(CodeableConcept).coding.where(system = 'https://fhir.dhc.example/CodeSystem/eqa-status').exists())"

Invariant: dhc-rec-3
Description: "Only a result of a laboratory that passed external quality assessment carries the mutual-recognition mark."
Severity: #error
Expression: "extension('https://fhir.dhc.example/StructureDefinition/mutual-recognition').exists() implies extension('https://fhir.dhc.example/StructureDefinition/eqa-status').value.ofType(CodeableConcept).coding.where(system = 'https://fhir.dhc.example/CodeSystem/eqa-status' and code = 'passed').exists()"

Invariant: dhc-rec-4
Description: "The mutual-recognition mark is HR, with a scope coded in the network's recognition-scope system."
Severity: #error
Expression: "extension('https://fhir.dhc.example/StructureDefinition/mutual-recognition').all(extension('mark').value.ofType(code) = 'HR' and extension('scope').value.ofType(Coding).where(system = 'https://fhir.dhc.example/CodeSystem/recognition-scope' and code.exists()).exists())"

Invariant: dhc-rec-5
Description: "Only a final, amended or corrected result carries the mutual-recognition mark."
Severity: #error
Expression: "extension('https://fhir.dhc.example/StructureDefinition/mutual-recognition').exists() implies (status = 'final' or status = 'amended' or status = 'corrected')"

// ---- Cloud pharmacy ----

Invariant: dhc-rx-1
Description: "The medication is a product of the network's formulary (https://fhir.dhc.example/CodeSystem/formulary), coded in medicationCodeableConcept."
Severity: #error
Expression: "medication.ofType(CodeableConcept).coding.where(system = 'https://fhir.dhc.example/CodeSystem/formulary' and code.exists()).exists()"

Invariant: dhc-rx-2
Description: "A prescription is for at most 7 days of supply unless it is a long prescription."
Severity: #error
Expression: "extension('https://fhir.dhc.example/StructureDefinition/long-prescription').exists() or dispenseRequest.expectedSupplyDuration.value <= 7"

Invariant: dhc-rx-3
Description: "A long prescription is for at most 12 weeks (84 days) of supply."
Severity: #error
Expression: "extension('https://fhir.dhc.example/StructureDefinition/long-prescription').empty() or dispenseRequest.expectedSupplyDuration.value <= 84"

Invariant: dhc-rx-4
Description: "More than 4 weeks (28 days) of supply needs the documented evaluation referenced by the long-prescription extension."
Severity: #error
Expression: "dispenseRequest.expectedSupplyDuration.value <= 28 or extension('https://fhir.dhc.example/StructureDefinition/long-prescription').extension('evaluation').value.ofType(Reference).exists()"

Invariant: dhc-rx-5
Description: "The medication is either delivered to the patient's home (home-address) or picked up (pickup-location), not both."
Severity: #error
Expression: "extension('https://fhir.dhc.example/StructureDefinition/home-address').exists() xor extension('https://fhir.dhc.example/StructureDefinition/pickup-location').exists()"

Invariant: dhc-rx-6
Description: "The review status is coded in the network's prescription-review-status system."
Severity: #error
Expression: "extension('https://fhir.dhc.example/StructureDefinition/prescription-review').all(extension('status').value.ofType(CodeableConcept).coding.where(system = 'https://fhir.dhc.example/CodeSystem/prescription-review-status' and code.exists()).exists())"

Invariant: dhc-rx-7
Description: "The review outcome references the review Task."
Severity: #error
Expression: "extension('https://fhir.dhc.example/StructureDefinition/prescription-review').all(extension('task').value.ofType(Reference).reference.exists())"

Invariant: dhc-rx-8
Description: "An online prescription takes effect only after a pharmacist approved it: an active or completed prescription has review status approved."
Severity: #error
Expression: "(status = 'active' or status = 'completed') implies extension('https://fhir.dhc.example/StructureDefinition/prescription-review').extension('status').value.ofType(CodeableConcept).coding.where(system = 'https://fhir.dhc.example/CodeSystem/prescription-review-status' and code = 'approved').exists()"

Invariant: dhc-md-1
Description: "The dispensed medication is a product of the network's formulary, coded in medicationCodeableConcept."
Severity: #error
Expression: "medication.ofType(CodeableConcept).coding.where(system = 'https://fhir.dhc.example/CodeSystem/formulary' and code.exists()).exists()"

Invariant: dhc-md-2
Description: "A completed dispense records when the medication was handed over."
Severity: #error
Expression: "status = 'completed' implies whenHandedOver.exists()"

Invariant: dhc-md-3
Description: "The medication is either delivered to the patient's home (home-address) or picked up (pickup-location), not both."
Severity: #error
Expression: "extension('https://fhir.dhc.example/StructureDefinition/home-address').exists() xor extension('https://fhir.dhc.example/StructureDefinition/pickup-location').exists()"

Invariant: dhc-md-4
Description: "The days of supply are at most 12 weeks (84 days)."
Severity: #error
Expression: "daysSupply.value.all($this <= 84)"

Invariant: dhc-md-5
Description: "The cloud pharmacy is the dispensing performer: a performer actor of type Organization."
Severity: #error
Expression: "performer.actor.where(type = 'Organization' or reference.matches('^(.*/)?Organization/[A-Za-z0-9.-]+(/_history/[A-Za-z0-9.-]+)?$')).exists()"

Invariant: dhc-addr-1
Description: "The home address gives the district and the street address (line or text)."
Severity: #error
Expression: "extension('https://fhir.dhc.example/StructureDefinition/home-address').value.ofType(Address).all(district.exists() and (line.exists() or text.exists()))"

// ---- Home care ----

Invariant: dhc-hc-1
Description: "The service is coded from the network's home-care service catalogue."
Severity: #error
Expression: "code.coding.where(system = 'https://fhir.dhc.example/CodeSystem/home-care-service' and code.exists()).exists()"

Invariant: dhc-hc-2
Description: "The request gives its reason, as a code or a reference."
Severity: #error
Expression: "reasonCode.exists() or reasonReference.exists()"

Invariant: dhc-hc-3
Description: "The service is performed at the patient's residence: locationCode PTRES (http://terminology.hl7.org/CodeSystem/v3-RoleCode)."
Severity: #error
Expression: "locationCode.coding.where(system = 'http://terminology.hl7.org/CodeSystem/v3-RoleCode' and code = 'PTRES').exists()"

Invariant: dhc-task-1
Description: "A dispatched task (accepted, in progress or completed) has its nurse as owner."
Severity: #error
Expression: "(status = 'accepted' or status = 'in-progress' or status = 'completed') implies owner.exists()"

Invariant: dhc-task-2
Description: "A task in progress or completed records when the visit started."
Severity: #error
Expression: "(status = 'in-progress' or status = 'completed') implies executionPeriod.start.exists()"

Invariant: dhc-task-3
Description: "A completed task records when the visit ended."
Severity: #error
Expression: "status = 'completed' implies executionPeriod.end.exists()"

Invariant: dhc-task-4
Description: "A completed task references the record of the visit (an Encounter or a Procedure) in output."
Severity: #error
Expression: "status = 'completed' implies output.value.ofType(Reference).reference.exists()"
