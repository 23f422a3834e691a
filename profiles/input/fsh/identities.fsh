// Network identities: patients, member organizations, practitioners and their roles.

Profile: DhcPatient
Parent: Patient
Id: dhc-patient
Title: "Network patient"
Description: "A resident known to the network, identified by the resident ID card number (GB 11643) with a real birth date and a right check character, with a name that has its text (Chinese names are written whole, e.g. 张伟), a phone and an address down to the district."
* obeys dhc-pat-1 and dhc-pat-2 and dhc-pat-3 and dhc-pat-4 and dhc-pat-5 and dhc-pat-6
* identifier 1..* MS
* identifier ^slicing.discriminator.type = #value
* identifier ^slicing.discriminator.path = "system"
* identifier ^slicing.rules = #open
* identifier ^slicing.description = "Sliced by identifier system"
* identifier contains
    residentId 1..1 MS and
    healthRecordNumber 0..1 MS
* identifier[residentId] ^short = "Resident ID card number (居民身份证号)"
* identifier[residentId].system 1..1
* identifier[residentId].system = $resident-id (exactly)
* identifier[residentId].value 1..1
* identifier[healthRecordNumber] ^short = "Resident health-record number (居民健康档案号)"
* identifier[healthRecordNumber].system 1..1
* identifier[healthRecordNumber].system = $health-record-number (exactly)
* identifier[healthRecordNumber].value 1..1
* name 1..* MS
* name.text 1..1 MS
* name.text ^short = "The whole name as written (张伟); family and given are optional parts"
* telecom 1..* MS
* gender 1..1 MS
* birthDate 1..1 MS
* address 1..* MS
* address.city 1..1 MS
* address.district 1..1 MS
* address.district ^short = "District (区/县): the network's unit of management"

Profile: DhcOrganization
Parent: Organization
Id: dhc-organization
Title: "Network organization"
Description: "A member of the network: the network itself, the lead internet hospital, a grassroots clinic or one of its sites (community station, village clinic), a secondary or tertiary hospital, or the cloud pharmacy, told apart by a network organization type; with its medical institution code and unified social credit code (with its check character), its district, and partOf the network (a site partOf its clinic)."
* obeys dhc-org-3 and dhc-org-4 and dhc-org-5
* identifier 1..* MS
* identifier obeys dhc-org-1 and dhc-org-2
* identifier ^slicing.discriminator.type = #value
* identifier ^slicing.discriminator.path = "system"
* identifier ^slicing.rules = #open
* identifier ^slicing.description = "Sliced by identifier system"
* identifier contains
    institutionCode 0..1 MS and
    uscc 0..1 MS
* identifier[institutionCode] ^short = "Medical institution code (医疗机构代码)"
* identifier[institutionCode].system 1..1
* identifier[institutionCode].system = $institution-code (exactly)
* identifier[institutionCode].value 1..1
* identifier[uscc] ^short = "Unified social credit code (统一社会信用代码, GB 32100)"
* identifier[uscc].system 1..1
* identifier[uscc].system = $uscc (exactly)
* identifier[uscc].value 1..1
* active 1..1 MS
* type 1..* MS
* type ^slicing.discriminator.type = #value
* type ^slicing.discriminator.path = "coding.system"
* type ^slicing.rules = #open
* type ^slicing.description = "Sliced by code system: exactly one network organization type"
* type contains memberType 1..1 MS
* type[memberType] ^short = "Network organization type (牵头互联网医院, 基层医疗卫生机构, 二/三级医院, 云药房...)"
* type[memberType] from $vs-organization-types (required)
* type[memberType].coding 1..1
* type[memberType].coding.system 1..1
* type[memberType].coding.system = $organization-type (exactly)
* type[memberType].coding.code 1..1
* name 1..1 MS
* address 1..* MS
* address.city 1..1 MS
* address.district 1..1 MS
* partOf MS
* partOf only Reference(DhcOrganization)

Profile: DhcPractitioner
Parent: Practitioner
Id: dhc-practitioner
Title: "Network practitioner"
Description: "A practitioner working in the network, with a name that has its text and at least one professional qualification coded in the network's qualification system (nursing, pharmacy or physician title)."
* obeys dhc-prac-1 and dhc-prac-2
* identifier 1..* MS
* active 1..1 MS
* name 1..* MS
* name.text 1..1 MS
* gender 1..1 MS
* qualification 1..* MS
* qualification.code MS
* qualification.code from $vs-qualifications (extensible)
* qualification.period MS
* qualification.issuer MS

Profile: DhcPractitionerRole
Parent: PractitionerRole
Id: dhc-practitioner-role
Title: "Network practitioner role"
Description: "What a practitioner does for a member organization: doctor, nurse or pharmacist, with the professional title held, the family-doctor team (for team members), and for a home-care nurse the home-care services she may perform, her years of clinical nursing (at least 5) and a title of nurse practitioner (护师) or above; a pharmacist holds the title of pharmacist or above."
* obeys dhc-role-1 and dhc-role-2 and dhc-role-3 and dhc-role-4 and dhc-role-5 and dhc-role-6 and dhc-role-7
* extension contains
    ProfessionalTitle named professionalTitle 1..1 MS and
    YearsOfPractice named yearsOfPractice 0..1 MS and
    FamilyDoctorTeam named familyDoctorTeam 0..1 MS and
    AuthorizedHomeCareService named homeCareService 0..* MS
* active 1..1 MS
* practitioner 1..1 MS
* practitioner only Reference(DhcPractitioner)
* organization 1..1 MS
* organization only Reference(DhcOrganization)
* code 1..* MS
* code from http://hl7.org/fhir/ValueSet/practitioner-role (extensible)
* telecom MS
