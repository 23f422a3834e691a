// The network's extensions. Their urls are https://fhir.dhc.example/StructureDefinition/<id>.
// medplum's validator does not look inside an extension against its definition, so the profiles that
// use them repeat the rules that matter (coded system, required parts) as invariants on the resource.

Extension: EqaStatus
Id: eqa-status
Title: "External quality assessment status"
Description: "The external quality assessment (室间质评) status, for this item, of the laboratory that performed the test, at the time of the result. Only results of a laboratory that passed may carry a mutual-recognition mark."
Context: Observation, DiagnosticReport
* value[x] only CodeableConcept
* valueCodeableConcept 1..1
* valueCodeableConcept from $vs-eqa-statuses (required)

Extension: MutualRecognition
Id: mutual-recognition
Title: "Mutual recognition mark (HR)"
Description: "The mark \"HR\" (互认) that other institutions recognize this measured result without re-testing, with the scope of the recognition: national, provincial, city or network. The physician's conclusion is never recognized, only measured data."
Context: Observation, DiagnosticReport
* extension contains
    mark 1..1 and
    scope 1..1 and
    label 0..1
* extension[mark] ^short = "The mark: always HR"
* extension[mark].value[x] only code
* extension[mark].valueCode = #HR
* extension[scope] ^short = "The scope of the recognition"
* extension[scope].value[x] only Coding
* extension[scope].valueCoding from $vs-recognition-scopes (required)
* extension[label] ^short = "The printed label (e.g. 全国HR, 青禾省HR), configured locally"
* extension[label].value[x] only string

Extension: LongPrescription
Id: long-prescription
Title: "Long prescription (长期处方)"
Description: "Marks a cloud-pharmacy prescription as a long prescription for a stable chronic patient (more than 7 days of supply, at most 12 weeks), with the chronic condition it treats and the documented evaluation of the patient's stability, which is required above 4 weeks."
Context: MedicationRequest
* extension contains
    condition 1..1 and
    evaluation 0..1
* extension[condition] ^short = "The stable chronic condition the long prescription treats"
* extension[condition].value[x] only Reference(Condition)
* extension[evaluation] ^short = "The documented evaluation of the patient's stability (required above 4 weeks)"
* extension[evaluation].value[x] only Reference(ClinicalImpression or DocumentReference)

Extension: PrescriptionReview
Id: prescription-review
Title: "Prescription review outcome (处方审核)"
Description: "The outcome of the review of an online prescription by \"software plus pharmacist\": the review status and the Task that carries the review, so that the review is traceable. Only an approved prescription may be dispensed."
Context: MedicationRequest
* extension contains
    status 1..1 and
    task 1..1 and
    reviewer 0..1 and
    reviewedOn 0..1
* extension[status] ^short = "Review status"
* extension[status].value[x] only CodeableConcept
* extension[status].valueCodeableConcept from $vs-review-statuses (required)
* extension[task] ^short = "The review Task"
* extension[task].value[x] only Reference(Task)
* extension[reviewer] ^short = "The pharmacist who decided"
* extension[reviewer].value[x] only Reference(PractitionerRole)
* extension[reviewedOn] ^short = "When the pharmacist decided"
* extension[reviewedOn].value[x] only dateTime

Extension: HomeAddress
Id: home-address
Title: "Home address for delivery or service"
Description: "The patient's home address where the cloud pharmacy delivers the medication, or where the home-care service is performed."
Context: MedicationRequest, MedicationDispense, ServiceRequest
* value[x] only Address
* valueAddress 1..1

Extension: PickupLocation
Id: pickup-location
Title: "Pickup location"
Description: "Where the patient collects the medication instead of a home delivery: the clinic or one of its sites."
Context: MedicationRequest, MedicationDispense
* value[x] only Reference(Organization or Location)
* valueReference 1..1

Extension: ProfessionalTitle
Id: professional-title
Title: "Professional title held in the role"
Description: "The professional title (职称) the practitioner holds in this role: nursing, pharmacy or physician title ladder."
Context: PractitionerRole
* value[x] only CodeableConcept
* valueCodeableConcept 1..1
* valueCodeableConcept from $vs-qualifications (required)

Extension: YearsOfPractice
Id: years-of-practice
Title: "Years of clinical practice"
Description: "Completed years of clinical practice in the profession of the role (for a nurse: clinical nursing). A home-care nurse needs at least 5."
Context: PractitionerRole
* value[x] only integer
* valueInteger 1..1

Extension: FamilyDoctorTeam
Id: family-doctor-team
Title: "Family-doctor team"
Description: "The family-doctor team (家庭医生签约服务团队) the practitioner belongs to in this role."
Context: PractitionerRole
* value[x] only Reference(CareTeam)
* valueReference 1..1

Extension: AuthorizedHomeCareService
Id: authorized-home-care-service
Title: "Home-care service the nurse may perform"
Description: "A service of the home-care catalogue that this nurse is authorized to perform at patients' homes; dispatch matches orders to nurses by it."
Context: PractitionerRole
* value[x] only CodeableConcept
* valueCodeableConcept 1..1
* valueCodeableConcept from $vs-home-care-services (required)

Extension: UniqueSearchParameter
Id: unique-search-parameter
Title: "Unique search parameter"
Description: "On a token SearchParameter: each system|code value it extracts identifies at most one current resource of the type, and the server refuses (409) a write that would give a second resource the same value. The network marks its business identifiers this way (resident ID, unified social credit code, institution code), as HAPI FHIR marks its unique combo search parameters with an extension."
Context: SearchParameter
* value[x] only boolean
* valueBoolean 1..1
