package nodepool

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// rootDevice is the root volume of the Amazon Linux EKS AMIs.
const rootDevice = "/dev/xvda"

// deployEKS creates the launch template and the managed node group.
//
// The root volume comes from a launch template rather than the node
// group's DiskSize, which cannot choose the volume type: the template
// makes it gp3 (SSD, 3000 IOPS baseline at any size), encrypted.
func (p *NodePool) deployEKS(ctx *pulumi.Context, name string, a Args) error {
	e := a.EKS
	tags := pulumi.ToStringMap(a.Tags)
	lt, err := ec2.NewLaunchTemplate(ctx, name+"-launch-template", &ec2.LaunchTemplateArgs{
		Description: pulumi.String("Redpanda broker nodes: gp3 root volume, IMDSv2 only"),
		BlockDeviceMappings: ec2.LaunchTemplateBlockDeviceMappingArray{
			ec2.LaunchTemplateBlockDeviceMappingArgs{
				DeviceName: pulumi.String(rootDevice),
				Ebs: ec2.LaunchTemplateBlockDeviceMappingEbsArgs{
					VolumeSize:          pulumi.Int(e.DiskSizeGiB),
					VolumeType:          pulumi.String("gp3"),
					Encrypted:           pulumi.String("true"),
					DeleteOnTermination: pulumi.String("true"),
				},
			},
		},
		// IMDSv2 only: a token-less request cannot read the node role's
		// credentials (SSRF from a pod).
		MetadataOptions: ec2.LaunchTemplateMetadataOptionsArgs{
			HttpEndpoint: pulumi.String("enabled"),
			HttpTokens:   pulumi.String("required"),
		},
		Tags: tags,
	}, pulumi.Parent(p))
	if err != nil {
		return fmt.Errorf("launch template: %w", err)
	}
	p.LaunchTemplate = lt

	taints := make(eks.NodeGroupTaintArray, 0, len(a.Taints))
	for _, t := range a.Taints {
		taints = append(taints, eks.NodeGroupTaintArgs{
			Key: pulumi.String(t.Key), Value: pulumi.String(t.Value), Effect: pulumi.String(taintEffects[t.Effect]),
		})
	}
	ng, err := eks.NewNodeGroup(ctx, name+"-node-group", &eks.NodeGroupArgs{
		ClusterName:   pulumi.String(e.ClusterName),
		NodeRoleArn:   pulumi.String(e.NodeRoleARN),
		SubnetIds:     pulumi.ToStringArray(e.SubnetIDs),
		InstanceTypes: pulumi.ToStringArray([]string{e.InstanceType}),
		AmiType:       pulumi.String(a.AMIType),
		// Spot capacity can be reclaimed at two minutes' notice: too short
		// to drain a broker.
		CapacityType: pulumi.String("ON_DEMAND"),
		LaunchTemplate: eks.NodeGroupLaunchTemplateArgs{
			Id:      lt.ID(),
			Version: pulumi.Sprintf("%d", lt.LatestVersion),
		},
		// One node per broker, never more (nothing else may run there)
		// and never fewer (a broker would stay Pending).
		ScalingConfig: eks.NodeGroupScalingConfigArgs{
			MinSize: pulumi.Int(a.Nodes), MaxSize: pulumi.Int(a.Nodes), DesiredSize: pulumi.Int(a.Nodes),
		},
		// Node upgrades replace one node at a time, as the brokers' PDB allows.
		UpdateConfig: eks.NodeGroupUpdateConfigArgs{MaxUnavailable: pulumi.Int(1)},
		Labels:       pulumi.ToStringMap(a.Labels),
		Taints:       taints,
		Tags:         tags,
	}, pulumi.Parent(p))
	if err != nil {
		return fmt.Errorf("eks node group: %w", err)
	}
	p.NodeGroup = ng
	return nil
}
