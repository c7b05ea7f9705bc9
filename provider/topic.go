package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/twmb/franz-go/pkg/kadm"
)

// reassignTimeout bounds how long a replication-factor change may take to copy data.
const reassignTimeout = 10 * time.Minute

// Check validates inputs before any call reaches the cluster.
func (Topic) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[TopicArgs], error) {
	args, failures, err := infer.DefaultCheck[TopicArgs](ctx, req.NewInputs)
	if err != nil || len(failures) > 0 {
		return infer.CheckResponse[TopicArgs]{Inputs: args, Failures: failures}, err
	}
	return infer.CheckResponse[TopicArgs]{Inputs: args, Failures: validateTopicArgs(args)}, nil
}

// Diff compares the declared topic with the recorded one; see diffTopic.
func (Topic) Diff(_ context.Context, req infer.DiffRequest[TopicArgs, TopicState]) (infer.DiffResponse, error) {
	return diffTopic(req.State, req.Inputs)
}

// reachableAdmin returns the admin client if the cluster answers. During preview an
// unreachable cluster (first deploy, cluster created in the same update) is not an error:
// the preview degrades to unknown outputs instead of failing.
func reachableAdmin(ctx context.Context, dryRun bool) (*kadm.Client, Config, error) {
	adm, cfg, err := adminFrom(ctx)
	if err != nil {
		return nil, cfg, err
	}
	if !dryRun {
		return adm, cfg, nil
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := adm.ListBrokers(pctx); err != nil {
		if !unreachable(err) {
			return nil, cfg, cfg.refused(fmt.Sprintf("preview against %v", cfg.BootstrapServers), err)
		}
		p.GetLogger(ctx).Warningf("cluster %v not reachable during preview (%v); broker-side validation skipped", cfg.BootstrapServers, err)
		return nil, cfg, nil
	}
	return adm, cfg, nil
}

// Create creates the topic and waits until every partition has a leader. During preview it
// asks the broker to validate the request without creating anything.
func (Topic) Create(ctx context.Context, req infer.CreateRequest[TopicArgs]) (infer.CreateResponse[TopicState], error) {
	in := req.Inputs
	adm, cfg, err := reachableAdmin(ctx, req.DryRun)
	if err != nil {
		return infer.CreateResponse[TopicState]{}, err
	}
	state := TopicState{TopicArgs: in}
	if adm == nil {
		return infer.CreateResponse[TopicState]{ID: in.Name, Output: state}, nil
	}
	opCtx, cancel := context.WithTimeout(ctx, cfg.timeout())
	defer cancel()
	if _, err := describeTopic(opCtx, adm, in.Name); err == nil && in.replaceUnmanaged() {
		// The gate's topic used to be created by the gate itself: adopting it means
		// starting it over as declared, which costs only benchmark records.
		if req.DryRun {
			p.GetLogger(ctx).Warningf("topic %q exists outside the stack: replaceUnmanaged is set, so the update deletes it and creates it as declared", in.Name)
			return infer.CreateResponse[TopicState]{ID: in.Name, Output: state}, nil
		}
		p.GetLogger(ctx).Warningf("topic %q exists outside the stack: replaceUnmanaged is set, so it is deleted and created as declared", in.Name)
		if err := deleteTopic(ctx, cfg.conn, in.Name, cfg.timeout()); err != nil {
			return infer.CreateResponse[TopicState]{}, fmt.Errorf("replacing the unmanaged topic %q: %w", in.Name, err)
		}
	} else if err == nil {
		return infer.CreateResponse[TopicState]{}, fmt.Errorf("topic %q already exists on the cluster and is not managed by this stack: "+
			"import it with `pulumi import marketbus:index:Topic <resource-name> %s` instead of creating it", in.Name, in.Name)
	} else if !errors.Is(err, errTopicNotFound) {
		return infer.CreateResponse[TopicState]{}, err
	}
	if req.DryRun {
		if _, err := createTopic(opCtx, adm, in, true); err != nil {
			return infer.CreateResponse[TopicState]{}, fmt.Errorf("the broker rejects this topic: %w", err)
		}
		return infer.CreateResponse[TopicState]{ID: in.Name, Output: state}, nil
	}
	id, err := createTopic(opCtx, adm, in, false)
	if err != nil {
		return infer.CreateResponse[TopicState]{}, err
	}
	// From here on the topic exists: a failure must still record it in state (as a resource
	// that failed to initialise), or the next update would try to create it again and stop
	// at "already exists". effectiveConfig is a required output: without it the recorded
	// state cannot be decoded and the next Diff and Update fail; the update fills it in.
	state.TopicID = id
	state.EffectiveConfig = map[string]ConfigValue{}
	if err := waitTopicReady(ctx, cfg.conn, in.Name, in.Partitions, cfg.timeout()); err != nil {
		return infer.CreateResponse[TopicState]{ID: in.Name, Output: state},
			infer.ResourceInitFailedError{Reasons: []string{fmt.Sprintf("topic %q was created but is not ready: %v", in.Name, err)}}
	}
	out, err := observe(ctx, adm, cfg, in, nil)
	if err != nil {
		return infer.CreateResponse[TopicState]{ID: in.Name, Output: state},
			infer.ResourceInitFailedError{Reasons: []string{err.Error()}}
	}
	return infer.CreateResponse[TopicState]{ID: in.Name, Output: out}, nil
}

// observe reads the topic back and builds its state from the declared inputs and what the
// broker reports.
func observe(ctx context.Context, adm *kadm.Client, cfg Config, in TopicArgs, before map[string]string) (TopicState, error) {
	opCtx, cancel := context.WithTimeout(ctx, cfg.timeout())
	defer cancel()
	obs, err := describeTopic(opCtx, adm, in.Name)
	if err != nil {
		return TopicState{}, fmt.Errorf("reading back topic %q: %w", in.Name, err)
	}
	return TopicState{
		TopicArgs:       in,
		TopicID:         obs.ID,
		EffectiveConfig: effectiveConfig(ownedKeys(in.Config, before), obs.Config),
	}, nil
}

// Update applies config changes, partition increases and replication-factor changes in
// place. During preview the same requests go to the broker with validate-only set.
func (Topic) Update(ctx context.Context, req infer.UpdateRequest[TopicArgs, TopicState]) (infer.UpdateResponse[TopicState], error) {
	in, old := req.Inputs, req.State
	if _, err := diffTopic(old, in); err != nil {
		return infer.UpdateResponse[TopicState]{}, err
	}
	adm, cfg, err := reachableAdmin(ctx, req.DryRun)
	if err != nil {
		return infer.UpdateResponse[TopicState]{}, err
	}
	planned := TopicState{TopicArgs: in, TopicID: old.TopicID, EffectiveConfig: old.EffectiveConfig}
	if adm == nil {
		return infer.UpdateResponse[TopicState]{Output: planned}, nil
	}
	opCtx, cancel := context.WithTimeout(ctx, cfg.timeout())
	defer cancel()
	obs, err := describeTopic(opCtx, adm, in.Name)
	if errors.Is(err, errTopicNotFound) {
		return infer.UpdateResponse[TopicState]{}, fmt.Errorf("topic %q is gone from the cluster: run `pulumi refresh` so the next update recreates it", in.Name)
	}
	if err != nil {
		return infer.UpdateResponse[TopicState]{}, err
	}
	ops := configOps(old.Config, in.Config, obs.Config, in.strict())
	if err := alterConfig(opCtx, adm, in.Name, ops, req.DryRun); err != nil {
		return infer.UpdateResponse[TopicState]{}, err
	}
	if !req.DryRun {
		if err := waitConfigApplied(ctx, cfg.conn, in.Name, ops, cfg.timeout()); err != nil {
			return infer.UpdateResponse[TopicState]{}, err
		}
	}
	if in.Partitions > obs.Partitions {
		if err := addPartitions(opCtx, adm, in.Name, in.Partitions, req.DryRun); err != nil {
			return infer.UpdateResponse[TopicState]{}, err
		}
		// The new partitions must be known everywhere before a replication change reads the
		// assignment; otherwise they would keep the old replication factor.
		if !req.DryRun {
			if err := waitTopicReady(ctx, cfg.conn, in.Name, in.Partitions, cfg.timeout()); err != nil {
				return infer.UpdateResponse[TopicState]{}, err
			}
		}
	}
	if in.ReplicationFactor != obs.ReplicationFactor {
		if req.DryRun {
			brokers, err := brokerIDs(opCtx, adm)
			if err != nil {
				return infer.UpdateResponse[TopicState]{}, err
			}
			if _, err := planReassignment(obs.Assignment, brokers, in.ReplicationFactor); err != nil {
				return infer.UpdateResponse[TopicState]{}, fmt.Errorf("changing replication factor of topic %q: %w", in.Name, err)
			}
		} else {
			// Partitions added above already carry the new count; re-read the assignment.
			cur, err := describeTopic(opCtx, adm, in.Name)
			if err != nil {
				return infer.UpdateResponse[TopicState]{}, err
			}
			if len(cur.Assignment) < in.Partitions {
				return infer.UpdateResponse[TopicState]{}, fmt.Errorf("topic %q: the cluster lists %d of %d partitions; run the update again",
					in.Name, len(cur.Assignment), in.Partitions)
			}
			if err := changeReplicationFactor(ctx, adm, in.Name, cur.Assignment, in.ReplicationFactor, reassignTimeout); err != nil {
				return infer.UpdateResponse[TopicState]{}, err
			}
			if err := waitReplicationFactor(ctx, cfg.conn, in.Name, in.ReplicationFactor, reassignTimeout); err != nil {
				return infer.UpdateResponse[TopicState]{}, err
			}
		}
	}
	if req.DryRun {
		return infer.UpdateResponse[TopicState]{Output: planned}, nil
	}
	out, err := observe(ctx, adm, cfg, in, old.Config)
	if err != nil {
		return infer.UpdateResponse[TopicState]{}, err
	}
	return infer.UpdateResponse[TopicState]{Output: out}, nil
}

// Read refreshes the topic from the cluster. With no recorded inputs it is an import by
// topic name: only keys set on the topic itself are adopted.
func (Topic) Read(ctx context.Context, req infer.ReadRequest[TopicArgs, TopicState]) (infer.ReadResponse[TopicArgs, TopicState], error) {
	adm, cfg, err := adminFrom(ctx)
	if err != nil {
		return infer.ReadResponse[TopicArgs, TopicState]{}, err
	}
	name := req.ID
	opCtx, cancel := context.WithTimeout(ctx, cfg.timeout())
	defer cancel()
	obs, err := describeTopic(opCtx, adm, name)
	if errors.Is(err, errTopicNotFound) {
		// An empty ID tells the engine the resource no longer exists.
		return infer.ReadResponse[TopicArgs, TopicState]{}, nil
	}
	if err != nil {
		return infer.ReadResponse[TopicArgs, TopicState]{}, err
	}
	in := req.Inputs
	var owned []string
	if in.Name == "" {
		in = TopicArgs{Name: name, Config: topicLevelConfig(obs.Config)}
		owned = sortedKeys(in.Config)
	} else {
		owned = ownedKeys(req.Inputs.Config, req.State.Config)
		in.Config = ownedConfig(owned, obs.Config)
	}
	in.Partitions = obs.Partitions
	in.ReplicationFactor = obs.ReplicationFactor
	if len(in.Config) == 0 {
		in.Config = nil
	}
	state := TopicState{TopicArgs: in, TopicID: obs.ID, EffectiveConfig: effectiveConfig(owned, obs.Config)}
	if req.State.Name != "" {
		// Settings that live only in Pulumi survive a refresh unchanged.
		state.DeletionProtection = req.State.DeletionProtection
		state.StrictConfig = req.State.StrictConfig
		state.OnPartitionDecrease = req.State.OnPartitionDecrease
		state.OnReplicationDecrease = req.State.OnReplicationDecrease
		in.DeletionProtection, in.StrictConfig, in.OnPartitionDecrease = state.DeletionProtection, state.StrictConfig, state.OnPartitionDecrease
		in.OnReplicationDecrease = state.OnReplicationDecrease
		state.ReplaceUnmanaged, in.ReplaceUnmanaged = req.State.ReplaceUnmanaged, req.State.ReplaceUnmanaged
	}
	return infer.ReadResponse[TopicArgs, TopicState]{ID: name, Inputs: in, State: state}, nil
}

// Delete removes the topic unless deletion protection is on, and waits until it is gone.
func (Topic) Delete(ctx context.Context, req infer.DeleteRequest[TopicState]) (infer.DeleteResponse, error) {
	if req.State.deletionProtected() {
		return infer.DeleteResponse{}, fmt.Errorf("topic %q has deletionProtection on, so it was not deleted: "+
			"set deletionProtection: false, run `up`, then remove it from the program or destroy the stack", req.State.Name)
	}
	_, cfg, err := adminFrom(ctx)
	if err != nil {
		return infer.DeleteResponse{}, err
	}
	return infer.DeleteResponse{}, deleteTopic(ctx, cfg.conn, req.State.Name, cfg.timeout())
}
