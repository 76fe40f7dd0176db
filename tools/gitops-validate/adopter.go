package main

import (
	"fmt"
	"strings"
)

// The adopter proof: another team's Flux repository (tools/gitops-validate/testdata/adopter: bootstrap layout, a
// cluster folder without kustomization.yaml, layered Kustomizations, a HelmRelease, no house
// style, no provider registry, one planted schema error) is judged on correctness alone unless it
// opts into more: its objects are validated, the planted error is the only finding, and no
// platform or convention finding appears. Opting into conventions adds their findings and
// validates exactly the same objects.

// adopterPlanted identifies the planted schema error in the fixture.
const (
	adopterPlantedObject = "Deployment podinfo/podinfo"
	adopterPlantedField  = "containerPort"
)

// AdopterResult is what the proof saw, or why it failed.
type AdopterResult struct {
	Failure string
	Summary string
	// Objects and ConventionFindings of the run with conventions (the default run must match).
	Objects, ConventionFindings int
}

func isPlanted(f Finding) bool {
	return f.Layer == LayerCorrectness && f.Rule == "schema" && f.Object == adopterPlantedObject &&
		strings.Contains(f.Message, adopterPlantedField)
}

// RunAdopterProof validates the adopter fixture at dir twice (its own configuration, then opting
// into conventions) with schemas already loaded.
func RunAdopterProof(dir string, sch *Schemas) (AdopterResult, error) {
	run := func(layers string) (*Validator, *Report, error) {
		v, err := setupValidator(dir, layers)
		if err != nil {
			return nil, nil, err
		}
		v.Schemas = sch
		return v, v.Run(), nil
	}
	plain, rep, err := run("")
	if err != nil {
		return AdopterResult{}, err
	}
	planted := 0
	for _, f := range rep.Findings {
		if !isPlanted(f) {
			return AdopterResult{Failure: "unexpected finding on the adopter's own layers: " + f.String()}, nil
		}
		planted++
	}
	switch {
	case len(rep.Unassigned) > 0:
		return AdopterResult{Failure: fmt.Sprintf("rules without a layer: %v", rep.Unassigned)}, nil
	case planted == 0:
		return AdopterResult{Failure: fmt.Sprintf("the planted schema error (%s, %s) was not found", adopterPlantedObject, adopterPlantedField)}, nil
	case plain.ObjCount == 0 || len(plain.Clusters) == 0:
		return AdopterResult{Failure: fmt.Sprintf("%d clusters, %d objects validated: the tree was not followed", len(plain.Clusters), plain.ObjCount)}, nil
	case plain.Layers[LayerPlatform] || plain.Layers[LayerConventions]:
		return AdopterResult{Failure: "layers on without a registry or configuration: " + plain.Layers.String()}, nil
	}
	conv, crep, err := run(string(LayerConventions))
	if err != nil {
		return AdopterResult{}, err
	}
	res := AdopterResult{Objects: conv.ObjCount, ConventionFindings: crep.Count(LayerConventions)}
	sawPlanted := false
	for _, f := range crep.Findings {
		sawPlanted = sawPlanted || isPlanted(f)
	}
	switch {
	case res.ConventionFindings == 0:
		res.Failure = "opting into conventions reported no convention finding on a tree without house style"
	case !sawPlanted || conv.ObjCount != plain.ObjCount:
		res.Failure = fmt.Sprintf("with conventions, objects must still be validated: %d objects (without: %d), planted error found: %t",
			conv.ObjCount, plain.ObjCount, sawPlanted)
	case crep.Count(LayerPlatform) > 0:
		res.Failure = "opting into conventions reported platform findings"
	}
	res.Summary = fmt.Sprintf("%d objects validated in %d clusters (%d kustomization dirs), the planted schema error found, no platform or convention finding; opting into conventions: %d convention findings, the same %d objects validated",
		plain.ObjCount, len(plain.Clusters), plain.DirCount, res.ConventionFindings, conv.ObjCount)
	return res, nil
}
