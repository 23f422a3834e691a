// Cloud pharmacy (云药房): online prescriptions renewed at the clinic, reviewed by software plus a
// pharmacist, dispensed by the cloud pharmacy and delivered home or picked up.

Profile: DhcCloudPrescription
Parent: MedicationRequest
Id: dhc-cloud-prescription
Title: "Cloud-pharmacy prescription"
Description: "An online prescription of a member clinic's practitioner for the cloud pharmacy to dispense: a formulary product, structured dosage, quantity and expected supply (normally at most 7 days; a long prescription at most 12 weeks, over 4 weeks only with a documented evaluation), insurance, delivery home or pickup, and the outcome of the pharmacist's review (only an approved prescription is active)."
* obeys dhc-rx-1 and dhc-rx-2 and dhc-rx-3 and dhc-rx-4 and dhc-rx-5 and dhc-rx-6 and dhc-rx-7 and dhc-rx-8 and dhc-addr-1
* extension contains
    PrescriptionReview named review 1..1 MS and
    LongPrescription named longPrescription 0..1 MS and
    HomeAddress named homeAddress 0..1 MS and
    PickupLocation named pickupLocation 0..1 MS
* status MS
* intent = #order (exactly)
* medication[x] MS
* medication[x] only CodeableConcept
* medicationCodeableConcept from $vs-formulary (required)
* subject 1..1 MS
* subject only Reference(DhcPatient)
* encounter MS
* authoredOn 1..1 MS
* requester 1..1 MS
* requester only Reference(DhcPractitionerRole)
* requester ^short = "The prescribing practitioner in the role of a member clinic"
* reasonReference MS
* insurance MS
* insurance ^short = "The patient's medical insurance, reimbursed through the clinic"
* dosageInstruction 1..* MS
* dosageInstruction.text MS
* dosageInstruction.timing 1..1 MS
* dosageInstruction.timing.repeat 1..1 MS
* dosageInstruction.route 1..1 MS
* dosageInstruction.route from $vs-routes (required)
* dosageInstruction.doseAndRate 1..1 MS
* dosageInstruction.doseAndRate.dose[x] 1..1 MS
* dosageInstruction.doseAndRate.dose[x] only SimpleQuantity
* dispenseRequest 1..1 MS
* dispenseRequest.quantity 1..1 MS
* dispenseRequest.expectedSupplyDuration 1..1 MS
* dispenseRequest.expectedSupplyDuration.value 1..1
* dispenseRequest.expectedSupplyDuration.system 1..1
* dispenseRequest.expectedSupplyDuration.system = $ucum (exactly)
* dispenseRequest.expectedSupplyDuration.code 1..1
* dispenseRequest.expectedSupplyDuration.code = #d (exactly)
* dispenseRequest.performer 1..1 MS
* dispenseRequest.performer only Reference(DhcOrganization)
* dispenseRequest.performer ^short = "The cloud pharmacy"

Profile: DhcCloudDispense
Parent: MedicationDispense
Id: dhc-cloud-dispense
Title: "Cloud-pharmacy dispense"
Description: "The cloud pharmacy's dispense of an approved cloud-pharmacy prescription: the formulary product, quantity and days of supply, the cloud pharmacy as performer, and the delivery to the patient's home or the pickup."
* obeys dhc-md-1 and dhc-md-2 and dhc-md-3 and dhc-md-4 and dhc-md-5 and dhc-addr-1
* extension contains
    HomeAddress named homeAddress 0..1 MS and
    PickupLocation named pickupLocation 0..1 MS
* status MS
* medication[x] MS
* medication[x] only CodeableConcept
* medicationCodeableConcept from $vs-formulary (required)
* subject 1..1 MS
* subject only Reference(DhcPatient)
* performer 1..* MS
* performer.actor only Reference(DhcOrganization or DhcPractitionerRole)
* authorizingPrescription 1..1 MS
* authorizingPrescription only Reference(DhcCloudPrescription)
* quantity 1..1 MS
* daysSupply 1..1 MS
* daysSupply.system 1..1
* daysSupply.system = $ucum (exactly)
* daysSupply.code 1..1
* daysSupply.code = #d (exactly)
* whenPrepared MS
* whenHandedOver MS
* receiver MS
* dosageInstruction MS
