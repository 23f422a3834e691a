// Laboratory results for mutual recognition (检查检验结果互认): what another institution needs to trust a
// measured value without re-testing. The physician's conclusion is never recognized, only measured data.

RuleSet: RecognitionReady
* extension contains
    EqaStatus named eqaStatus 1..1 MS and
    MutualRecognition named mutualRecognition 0..1 MS
* extension[eqaStatus] ^short = "The performing laboratory's external quality assessment status for this item"
* extension[mutualRecognition] ^short = "The recognition mark HR with its scope"
* obeys dhc-rec-1 and dhc-rec-2 and dhc-rec-3 and dhc-rec-4 and dhc-rec-5
* status MS
* subject 1..1 MS
* subject only Reference(DhcPatient)
* effective[x] 1..1 MS
* effective[x] only dateTime
* effectiveDateTime ^short = "When the specimen was collected"
* issued 1..1 MS
* performer 1..* MS
* performer ^short = "Includes the performing laboratory (Organization); a urn:uuid reference gives type"

Profile: DhcLabResult
Parent: Observation
Id: dhc-lab-result
Title: "Laboratory result for mutual recognition"
Description: "A laboratory result that other institutions can recognize: LOINC code (local codes may be added), UCUM unit, the performing organization, the specimen collection time (effectiveDateTime), the method, the external quality assessment status of the performing laboratory and, when recognized, the mark HR with its scope (national, provincial, city or network)."
* insert RecognitionReady
* obeys dhc-lab-1 and dhc-lab-2
* category 1..* MS
* category ^slicing.discriminator.type = #pattern
* category ^slicing.discriminator.path = "$this"
* category ^slicing.rules = #open
* category ^slicing.description = "Sliced by category pattern"
* category contains laboratory 1..1 MS
* category[laboratory] = $obs-category#laboratory
* code MS
* code from $vs-chronic-lab (extensible)
* value[x] MS
* value[x] only Quantity or CodeableConcept or string
* method 1..1 MS
* method ^short = "The method of measurement (e.g. 酶法, HPLC)"
* specimen MS
* performer only Reference(DhcOrganization or DhcPractitioner or DhcPractitionerRole)
* referenceRange MS

Profile: DhcLabReport
Parent: DiagnosticReport
Id: dhc-lab-report
Title: "Laboratory report for mutual recognition"
Description: "A laboratory report that groups recognition-ready results (DhcLabResult, e.g. a diabetes work-up with glucose and HbA1c), with the performing organization, the specimen collection time, the issue time, the laboratory's external quality assessment status and, when recognized, the mark HR with its scope."
* insert RecognitionReady
* category 1..* MS
* category ^slicing.discriminator.type = #pattern
* category ^slicing.discriminator.path = "$this"
* category ^slicing.rules = #open
* category ^slicing.description = "Sliced by category pattern"
* category contains laboratory 1..1 MS
* category[laboratory] = $v2-0074#LAB
* code MS
* performer only Reference(DhcOrganization or DhcPractitioner or DhcPractitionerRole)
* result 1..* MS
* result only Reference(DhcLabResult)
* specimen MS
* conclusion ^short = "The physician's conclusion: never covered by the recognition mark"
