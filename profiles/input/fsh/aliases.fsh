// External code systems and identifier systems
Alias: $loinc = http://loinc.org
Alias: $ucum = http://unitsofmeasure.org
Alias: $icd10 = http://hl7.org/fhir/sid/icd-10
Alias: $obs-category = http://terminology.hl7.org/CodeSystem/observation-category
Alias: $v2-0074 = http://terminology.hl7.org/CodeSystem/v2-0074
Alias: $v3-RoleCode = http://terminology.hl7.org/CodeSystem/v3-RoleCode
Alias: $practitioner-role = http://terminology.hl7.org/CodeSystem/practitioner-role
Alias: $condition-clinical = http://terminology.hl7.org/CodeSystem/condition-clinical
Alias: $task-code = http://hl7.org/fhir/CodeSystem/task-code
Alias: $resident-id = urn:oid:2.16.156.10011.1.3
Alias: $health-record-number = urn:oid:2.16.156.10011.1.2
Alias: $institution-code = urn:oid:2.16.156.10011.1.5
Alias: $uscc = https://fhir.dhc.example/sid/uscc

// The network's code systems (terminology/codesystems)
Alias: $icd10cn = https://fhir.dhc.example/CodeSystem/icd-10-cn-clinical-2.0
Alias: $organization-type = https://fhir.dhc.example/CodeSystem/organization-type
Alias: $qualification = https://fhir.dhc.example/CodeSystem/practitioner-qualification
Alias: $formulary = https://fhir.dhc.example/CodeSystem/formulary
Alias: $home-care-service = https://fhir.dhc.example/CodeSystem/home-care-service
Alias: $review-status = https://fhir.dhc.example/CodeSystem/prescription-review-status
Alias: $recognition-scope = https://fhir.dhc.example/CodeSystem/recognition-scope
Alias: $eqa-status = https://fhir.dhc.example/CodeSystem/eqa-status
Alias: $follow-up-visit-type = https://fhir.dhc.example/CodeSystem/follow-up-visit-type

// The network's value sets (terminology/valuesets)
Alias: $vs-organization-types = https://fhir.dhc.example/ValueSet/organization-types
Alias: $vs-qualifications = https://fhir.dhc.example/ValueSet/practitioner-qualifications
Alias: $vs-blood-pressure = https://fhir.dhc.example/ValueSet/blood-pressure-codes
Alias: $vs-glucose = https://fhir.dhc.example/ValueSet/glucose-codes
Alias: $vs-chronic-lab = https://fhir.dhc.example/ValueSet/chronic-lab-codes
Alias: $vs-ucum = https://fhir.dhc.example/ValueSet/ucum-units
Alias: $vs-chronic-diagnoses = https://fhir.dhc.example/ValueSet/chronic-disease-diagnoses
Alias: $vs-formulary = https://fhir.dhc.example/ValueSet/formulary-all
Alias: $vs-routes = https://fhir.dhc.example/ValueSet/routes-of-administration
Alias: $vs-home-care-services = https://fhir.dhc.example/ValueSet/home-care-services
Alias: $vs-review-statuses = https://fhir.dhc.example/ValueSet/prescription-review-statuses
Alias: $vs-recognition-scopes = https://fhir.dhc.example/ValueSet/recognition-scopes
Alias: $vs-eqa-statuses = https://fhir.dhc.example/ValueSet/eqa-statuses
Alias: $vs-follow-up-visit-types = https://fhir.dhc.example/ValueSet/follow-up-visit-types

// The network's extensions, by url, for FHIRPath in invariants and SearchParameters
Alias: $ext-eqa-status = https://fhir.dhc.example/StructureDefinition/eqa-status
Alias: $ext-mutual-recognition = https://fhir.dhc.example/StructureDefinition/mutual-recognition
Alias: $ext-long-prescription = https://fhir.dhc.example/StructureDefinition/long-prescription
Alias: $ext-prescription-review = https://fhir.dhc.example/StructureDefinition/prescription-review
Alias: $ext-home-address = https://fhir.dhc.example/StructureDefinition/home-address
Alias: $ext-pickup-location = https://fhir.dhc.example/StructureDefinition/pickup-location
