// Chronic-disease panels: the measurements of the pre-visit check (blood pressure, height, weight, waist,
// BMI), glucose and HbA1c, the follow-up panel that groups them (hasMember, the R4 vital-signs pattern),
// and the diagnoses they follow. Vital signs derive from the R4 vitalsigns profile.

RuleSet: ChronicMeasurement
* status MS
* subject 1..1 MS
* subject only Reference(DhcPatient)
* encounter MS
* effective[x] 1..1 MS
* effective[x] only dateTime
* effectiveDateTime ^short = "When measured (for a laboratory test: when the specimen was collected)"
* performer 1..* MS
* performer only Reference(DhcPractitioner or DhcPractitionerRole or DhcOrganization or DhcPatient)
* performer ^short = "Who measured: the nurse or clinic, or the patient for a home reading"

RuleSet: QuantityIn(code)
* value[x] 1..1 MS
* value[x] only Quantity
* valueQuantity.value 1..1 MS
* valueQuantity.unit 1..1 MS
* valueQuantity.system 1..1 MS
* valueQuantity.system = $ucum (exactly)
* valueQuantity.code 1..1 MS
* valueQuantity.code = {code} (exactly)

Profile: DhcBloodPressure
Parent: http://hl7.org/fhir/StructureDefinition/vitalsigns
Id: dhc-blood-pressure
Title: "Blood pressure"
Description: "A blood pressure panel (LOINC 85354-9) with its systolic (8480-6) and diastolic (8462-4) components in mm[Hg], plausible and systolic above diastolic."
* insert ChronicMeasurement
* obeys dhc-bp-1 and dhc-bp-2 and dhc-bp-3 and dhc-bp-4
* code = $loinc#85354-9
* code from $vs-blood-pressure (extensible)
* value[x] 0..0
* component MS
* component ^slicing.discriminator.type = #pattern
* component ^slicing.discriminator.path = "code"
* component ^slicing.rules = #open
* component ^slicing.description = "Sliced by component code"
* component contains
    systolic 1..1 MS and
    diastolic 1..1 MS
* component[systolic].code = $loinc#8480-6
* component[systolic].value[x] only Quantity
* component[systolic].valueQuantity 1..1
* component[systolic].valueQuantity.value 1..1
* component[systolic].valueQuantity.unit 1..1
* component[systolic].valueQuantity.system = $ucum (exactly)
* component[systolic].valueQuantity.code = #mm[Hg] (exactly)
* component[diastolic].code = $loinc#8462-4
* component[diastolic].value[x] only Quantity
* component[diastolic].valueQuantity 1..1
* component[diastolic].valueQuantity.value 1..1
* component[diastolic].valueQuantity.unit 1..1
* component[diastolic].valueQuantity.system = $ucum (exactly)
* component[diastolic].valueQuantity.code = #mm[Hg] (exactly)

Profile: DhcBodyHeight
Parent: http://hl7.org/fhir/StructureDefinition/vitalsigns
Id: dhc-body-height
Title: "Body height"
Description: "Body height (LOINC 8302-2) in cm, plausible (30-250 cm)."
* insert ChronicMeasurement
* insert QuantityIn(#cm)
* obeys dhc-ht-1
* code = $loinc#8302-2

Profile: DhcBodyWeight
Parent: http://hl7.org/fhir/StructureDefinition/vitalsigns
Id: dhc-body-weight
Title: "Body weight"
Description: "Body weight (LOINC 29463-7) in kg, plausible (1-300 kg)."
* insert ChronicMeasurement
* insert QuantityIn(#kg)
* obeys dhc-wt-1
* code = $loinc#29463-7

Profile: DhcWaistCircumference
Parent: http://hl7.org/fhir/StructureDefinition/vitalsigns
Id: dhc-waist-circumference
Title: "Waist circumference"
Description: "Waist circumference at the umbilicus by tape measure (LOINC 8280-0) in cm, plausible (40-200 cm)."
* insert ChronicMeasurement
* insert QuantityIn(#cm)
* obeys dhc-wc-1
* code = $loinc#8280-0

Profile: DhcBmi
Parent: http://hl7.org/fhir/StructureDefinition/vitalsigns
Id: dhc-bmi
Title: "Body mass index"
Description: "Body mass index (LOINC 39156-5) in kg/m2, plausible (10-80), usually derived from the height and weight of the same visit."
* insert ChronicMeasurement
* insert QuantityIn(#kg/m2)
* obeys dhc-bmi-1
* code = $loinc#39156-5
* derivedFrom MS

Profile: DhcFastingGlucose
Parent: Observation
Id: dhc-fasting-glucose
Title: "Fasting glucose"
Description: "Fasting glucose in mmol/L, coded with a molar LOINC code: 14771-0 (serum or plasma, laboratory) or 14770-2 (capillary blood by glucometer, at the clinic or at home); plausible (0.5-60 mmol/L)."
* insert ChronicMeasurement
* insert QuantityIn(#mmol/L)
* obeys dhc-glu-1 and dhc-glu-3
* code from $vs-glucose (required)

Profile: DhcTwoHourGlucose
Parent: Observation
Id: dhc-two-hour-glucose
Title: "2-hour glucose"
Description: "2-hour glucose in mmol/L: 14760-3 (capillary blood 2 hours after a meal, postprandial) or 14995-5 (serum or plasma 2 hours after 75 g glucose, OGTT); plausible (0.5-60 mmol/L)."
* insert ChronicMeasurement
* insert QuantityIn(#mmol/L)
* obeys dhc-glu-2 and dhc-glu-3
* code from $vs-glucose (required)

Profile: DhcHbA1c
Parent: DhcLabResult
Id: dhc-hba1c
Title: "HbA1c"
Description: "Haemoglobin A1c (LOINC 4548-4) in %, a laboratory result ready for mutual recognition; plausible (3-20 %)."
* insert QuantityIn(#%)
* obeys dhc-a1c-1
* code = $loinc#4548-4

Profile: DhcFollowUpPanel
Parent: Observation
Id: dhc-follow-up-panel
Title: "Chronic-disease follow-up panel"
Description: "The measurements of one hypertension or type 2 diabetes follow-up visit, grouped with hasMember (the R4 vital-signs panel pattern) and tied to the visit's Encounter. The panel has no value of its own."
* insert ChronicMeasurement
* obeys dhc-fu-1
* code from $vs-follow-up-visit-types (required)
* encounter 1..1 MS
* encounter ^short = "The follow-up visit"
* value[x] 0..0
* dataAbsentReason 0..0
* component 0..0
* hasMember 1..* MS
* hasMember only Reference(DhcBloodPressure or DhcBodyHeight or DhcBodyWeight or DhcWaistCircumference or DhcBmi or DhcFastingGlucose or DhcTwoHourGlucose or DhcHbA1c)
* focus MS
* focus ^short = "The condition followed up (Condition)"

Profile: DhcChronicCondition
Parent: Condition
Id: dhc-chronic-condition
Title: "Chronic condition (hypertension or type 2 diabetes)"
Description: "A hypertension or type 2 diabetes diagnosis coded both in plain ICD-10 (http://hl7.org/fhir/sid/icd-10, e.g. I10, E11.9) and in the national clinical version 2.0 (e.g. I10.x00, E11.900), the two in the same ICD-10 category."
* obeys dhc-cond-1 and dhc-cond-2
* clinicalStatus 1..1 MS
* verificationStatus 1..1 MS
* category 1..* MS
* code 1..1 MS
* code from $vs-chronic-diagnoses (required)
* code.coding 2..* MS
* code.coding ^slicing.discriminator.type = #value
* code.coding ^slicing.discriminator.path = "system"
* code.coding ^slicing.rules = #open
* code.coding ^slicing.description = "Sliced by code system"
* code.coding contains
    icd10 1..1 MS and
    icd10cn 1..1 MS
* code.coding[icd10] ^short = "Plain ICD-10 (WHO)"
* code.coding[icd10].system 1..1
* code.coding[icd10].system = $icd10 (exactly)
* code.coding[icd10].code 1..1
* code.coding[icd10cn] ^short = "National clinical version 2.0 (疾病分类与代码国家临床版2.0)"
* code.coding[icd10cn].system 1..1
* code.coding[icd10cn].system = $icd10cn (exactly)
* code.coding[icd10cn].code 1..1
* subject 1..1 MS
* subject only Reference(DhcPatient)
* onset[x] MS
* recordedDate 1..1 MS
* recorder MS
